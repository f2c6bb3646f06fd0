package io.epochflux.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import static io.epochflux.server.HeadlessChromium.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The live page's sweep view in headless Chromium, like {@link LivePageTest}: start a sweep from
 * its form, watch the trials' chart gain points and the results table fill. Skipped where
 * chromedriver is not installed, unless EPOCHFLUX_REQUIRE_SERVERS=1 (CI), where that is a failure.
 */
// a stream that never ends must fail the test, not hang the build
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SweepPageTest {

    EpochfluxServer server;
    HeadlessChromium browser;
    ChromeDriver driver;

    @BeforeEach
    void start() throws IOException {
        browser = HeadlessChromium.start();
        driver = browser.driver();
        server = EpochfluxServer.builder().port(0).poolThreads(2).start();
    }

    @AfterEach
    void stop() throws IOException {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.shutdown(Duration.ofSeconds(10));
        }
    }

    private int points() {
        return browser.points("sweep-chart");
    }

    @Test
    void startsASweepFromTheFormAndWatchesItsChartAndResults() throws IOException {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofMinutes(2));
        // the list and the table are redrawn as the sweep goes: an element read mid-redraw is stale
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        driver.get(server.url());
        WebElement form = driver.findElement(By.id("sweep-form"));
        set(form.findElement(By.name("hidden")), "2,4,8");
        set(form.findElement(By.name("lr")), "0.01,0.05");
        new org.openqa.selenium.support.ui.Select(form.findElement(By.name("pruner"))).selectByVisibleText("sh");
        set(form.findElement(By.name("epochs")), "60");
        set(form.findElement(By.name("trainSize")), "700");
        set(form.findElement(By.name("valSize")), "300");
        // every value the chart's point count takes, seen in the page itself: a fast sweep may be
        // over before the test looks twice
        ((JavascriptExecutor) driver).executeScript("var c = document.getElementById('sweep-chart');"
                + " window.sweepPoints = [];"
                + " new MutationObserver(function () { window.sweepPoints.push(+c.getAttribute('data-points')); })"
                + ".observe(c, { attributes: true, attributeFilter: ['data-points'] });");
        driver.findElement(By.id("sweep-button")).click();

        wait.until(d -> points() >= 2);
        wait.until(d -> d.findElements(By.cssSelector("#sweep-list tbody tr .state")).stream()
                .anyMatch(e -> e.getText().equals("finished")));
        wait.until(d -> d.findElements(By.cssSelector("#sweep-results tbody tr")).size() == 6
                && d.findElements(By.cssSelector("#sweep-results tbody tr .state")).stream()
                        .allMatch(e -> e.getText().equals("finished") || e.getText().equals("pruned")));
        Long epochs = (Long) ((JavascriptExecutor) driver).executeScript("var n = 0;"
                + " document.querySelectorAll('#sweep-results tbody tr').forEach(function (tr) {"
                + " n += parseInt(tr.children[3].textContent, 10); }); return n;");
        int all = epochs.intValue();
        wait.until(d -> points() == all);
        @SuppressWarnings("unchecked")
        java.util.List<Long> seen = (java.util.List<Long>) ((JavascriptExecutor) driver).executeScript("return window.sweepPoints;");
        assertTrue(seen.stream().filter(n -> n > 0 && n < all).distinct().count() >= 1,
                "the chart gained points as the trials trained: " + seen);
        assertEquals(1, driver.findElements(By.cssSelector("#sweep-results tbody tr.best")).size());
        assertTrue(driver.findElements(By.cssSelector("#sweep-results tbody tr.pruned")).size() >= 1,
                "successive halving pruned someone");
        assertEquals("", driver.findElement(By.id("sweep-error")).getText());

        Path target = Path.of(System.getProperty("epochflux.basedir", ".")).resolve("target");
        Files.createDirectories(target);
        ((JavascriptExecutor) driver).executeScript("document.getElementById('sweeps').scrollIntoView();");
        Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), target.resolve("sweep-page.png"),
                StandardCopyOption.REPLACE_EXISTING);
    }
}

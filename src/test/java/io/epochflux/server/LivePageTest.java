package io.epochflux.server;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
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
import java.util.List;

import static io.epochflux.server.HeadlessChromium.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The live page in headless Chromium (Debian's chromium and chromium-driver): start a run from the
 * form, watch the charts gain points, see the stop report. Skipped where chromedriver is not
 * installed, unless EPOCHFLUX_REQUIRE_SERVERS=1 (CI), where that is a failure.
 */
// a stream that never ends must fail the test, not hang the build
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LivePageTest {

    EpochfluxServer server;
    HeadlessChromium browser;
    ChromeDriver driver;

    @BeforeEach
    void start() throws IOException {
        browser = HeadlessChromium.start();
        driver = browser.driver();
        server = EpochfluxServer.builder().port(0).poolThreads(1).start();
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
        return browser.points("loss-chart");
    }

    @Test
    void startsARunFromTheFormAndWatchesItsChartsAndStopReport() throws IOException {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofMinutes(2));
        driver.get(server.url());
        WebElement form = driver.findElement(By.id("run-form"));
        // the page records every point count its chart shows, so growth is seen however fast the run is
        ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(
                "window.__points = [];"
                + "new MutationObserver(() => window.__points.push(Number(document.getElementById('loss-chart')"
                + ".getAttribute('data-points')))).observe(document.getElementById('loss-chart'),"
                + " {attributes: true, attributeFilter: ['data-points']});");
        set(form.findElement(By.name("epochs")), "400");
        set(form.findElement(By.name("hidden")), "32");
        set(form.findElement(By.name("trainSize")), "2000");
        set(form.findElement(By.name("valSize")), "300");
        set(form.findElement(By.name("patience")), "5");
        form.findElement(By.name("restoreBestWeights")).click();
        driver.findElement(By.id("start-button")).click();

        wait.until(d -> !d.findElements(By.cssSelector(".stop-report")).isEmpty());
        String report = driver.findElement(By.cssSelector(".stop-report")).getText();
        assertTrue(report.contains("stopped_early") || report.contains("completed"), report);
        assertTrue(report.contains("reason"), report);
        int late = points();
        @SuppressWarnings("unchecked")
        java.util.List<Number> seen = (java.util.List<Number>) ((org.openqa.selenium.JavascriptExecutor) driver)
                .executeScript("return window.__points;");
        long steps = seen.stream().mapToLong(Number::longValue).filter(n -> n > 0 && n < late).distinct().count();
        assertTrue(steps >= 2, "the chart gained points epoch by epoch before the end: " + seen);
        int epochs = server.registry().list().values().iterator().next().epochs();
        assertEquals(2 * epochs, late, "loss and val_loss, one point each per epoch");
        wait.until(d -> d.findElement(By.cssSelector("#runs tbody tr .state")).getText().equals("stopped_early")
                || d.findElement(By.cssSelector("#runs tbody tr .state")).getText().equals("completed"));

        // a second run, overlaid on the first
        set(form.findElement(By.name("patience")), "20");
        set(form.findElement(By.name("seed")), "11");
        form.findElement(By.name("restoreBestWeights")).click();
        driver.findElement(By.id("start-button")).click();
        wait.until(d -> d.findElements(By.cssSelector(".stop-report")).size() == 2);
        int both = server.registry().list().values().stream().mapToInt(h -> h.epochs()).sum();
        wait.until(d -> points() == 2 * both);

        @SuppressWarnings("unchecked")
        List<String> resources = (List<String>) ((JavascriptExecutor) driver).executeScript(
                "return performance.getEntriesByType('resource').map(function (e) { return e.name; });");
        String origin = server.url();
        assertTrue(resources.stream().allMatch(u -> u.startsWith(origin)), "nothing loaded from elsewhere: " + resources);

        Path target = Path.of(System.getProperty("epochflux.basedir", ".")).resolve("target");
        Files.createDirectories(target);
        Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), target.resolve("live-page.png"),
                StandardCopyOption.REPLACE_EXISTING);

        driver.manage().window().setSize(new Dimension(420, 900));
        Long overflow = (Long) ((JavascriptExecutor) driver).executeScript(
                "return document.documentElement.scrollWidth - window.innerWidth;");
        assertTrue(overflow <= 1, "no sideways scrolling in a narrow window: " + overflow);
        Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(),
                target.resolve("live-page-narrow.png"), StandardCopyOption.REPLACE_EXISTING);
    }
}

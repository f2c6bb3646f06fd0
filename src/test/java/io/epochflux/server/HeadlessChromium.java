package io.epochflux.server;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Debian's headless Chromium driven by its chromium-driver, for the page tests: a fresh profile
 * each time, the flags this machine needs (no sandbox as root, no background networking on a
 * closed network), and Selenium pointed at the installed driver so it never downloads one.
 * Starting it skips the test where chromium is not installed, unless
 * EPOCHFLUX_REQUIRE_SERVERS=1 (CI), where that is a failure.
 */
final class HeadlessChromium implements AutoCloseable {

    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    private static final File CHROMIUM = new File("/usr/bin/chromium");

    private final ChromeDriverService service;
    private final ChromeDriver driver;
    private final Path profile;

    private HeadlessChromium(ChromeDriverService service, ChromeDriver driver, Path profile) {
        this.service = service;
        this.driver = driver;
        this.profile = profile;
    }

    static HeadlessChromium start() throws IOException {
        if (!"1".equals(System.getenv("EPOCHFLUX_REQUIRE_SERVERS"))) {
            Assumptions.assumeTrue(CHROMEDRIVER.canExecute() && CHROMIUM.canExecute(),
                    "chromium and chromium-driver are not installed");
        }
        Path profile = Files.createTempDirectory("epochflux-chromium");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--no-first-run", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1400,1000");
        return new HeadlessChromium(service, new ChromeDriver(service, options), profile);
    }

    ChromeDriver driver() {
        return driver;
    }

    /** @return how many points the chart in this element says it draws (its data-points attribute) */
    int points(String chartId) {
        return Integer.parseInt(driver.findElement(By.id(chartId)).getAttribute("data-points"));
    }

    static void set(WebElement input, String value) {
        input.clear();
        input.sendKeys(value);
    }

    @Override
    public void close() throws IOException {
        driver.quit();
        service.stop();
        try (var files = Files.walk(profile)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

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
import java.util.List;
import java.util.Map;

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
        // a get returns once the document is parsed; the tests wait for what they need on the page
        options.setPageLoadStrategy(org.openqa.selenium.PageLoadStrategy.EAGER);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--no-first-run", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1400,1000");
        return new HeadlessChromium(service, new ChromeDriver(service, options), profile);
    }

    ChromeDriver driver() {
        return driver;
    }

    /** A viewport of exactly this many CSS pixels, a phone's (touch, meta viewport) when mobile. */
    void viewport(int width, int height, boolean mobile) {
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height,
                "deviceScaleFactor", 1, "mobile", mobile));
    }

    /** What {@code prefers-color-scheme} answers: dark, light, or (null) the browser's own. */
    void colorScheme(String scheme) {
        driver.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("features",
                List.of(Map.of("name", "prefers-color-scheme", "value", scheme == null ? "" : scheme))));
    }

    private String pageScript;

    /** A script every page runs before its own (null: none); the one set before is removed. */
    void beforeEachPage(String script) {
        if (pageScript != null) {
            driver.executeCdpCommand("Page.removeScriptToEvaluateOnNewDocument", Map.of("identifier", pageScript));
            pageScript = null;
        }
        if (script != null) {
            pageScript = (String) driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument",
                    Map.of("source", script)).get("identifier");
        }
    }

    /** Downloads go to this directory without asking. */
    void downloadsTo(Path dir) {
        driver.executeCdpCommand("Browser.setDownloadBehavior", Map.of("behavior", "allow",
                "downloadPath", dir.toAbsolutePath().toString()));
    }

    /** A PNG of the whole page, beyond the viewport, at one device pixel per CSS pixel. */
    void screenshotOfThePage(Path file) throws IOException {
        // the viewport's width: with the whole height in view there is no scrollbar to leave out
        Number width = (Number) driver.executeScript("return window.innerWidth;");
        Number height = (Number) driver.executeScript("return document.documentElement.scrollHeight;");
        Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of("format", "png",
                "captureBeyondViewport", true, "clip", Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, java.util.Base64.getDecoder().decode((String) shot.get("data")));
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

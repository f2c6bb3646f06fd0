package io.epochflux.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.epochflux.runs.RunHandle;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * One server and one headless Chromium shared by a page test class: the page opened at a viewport,
 * runs and sweeps started through the API, waits on what the page shows (never on time), and the
 * layout check every size must pass.
 */
final class PageFixture implements AutoCloseable {

    /** The two sizes every page test runs at. */
    enum Viewport {
        DESKTOP(1280, 900, false), PHONE(390, 844, true);

        final int width;
        final int height;
        final boolean mobile;

        Viewport(int width, int height, boolean mobile) {
            this.width = width;
            this.height = height;
            this.mobile = mobile;
        }

        @Override
        public String toString() {
            return width + "x" + height;
        }
    }

    final EpochfluxServer server;
    final HeadlessChromium browser;
    final ChromeDriver driver;
    final Http http;

    private PageFixture(EpochfluxServer server, HeadlessChromium browser) {
        this.server = server;
        this.browser = browser;
        this.driver = browser.driver();
        this.http = new Http(server.port());
    }

    static PageFixture start() throws IOException {
        HeadlessChromium browser = HeadlessChromium.start();
        return new PageFixture(EpochfluxServer.builder().port(0).poolThreads(2).start(), browser);
    }

    /** Opens the page at a size with a query string ("" for none), the system's colour scheme light. */
    void open(Viewport size, String query) {
        browser.viewport(size.width, size.height, size.mobile);
        browser.colorScheme("light");
        // from a blank page: a get of the URL already shown waited for a load that never came
        driver.get("about:blank");
        driver.get(server.url() + query);
        waitFor(d -> js("return document.readyState").equals("complete"));
        Number width = (Number) js("return window.innerWidth;");
        if (width.intValue() != size.width) {
            throw new IllegalStateException("the viewport is " + width + " wide, not " + size.width);
        }
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Waits up to two minutes for a condition on the page; an element redrawn meanwhile is looked up again. */
    <T> T waitFor(Function<org.openqa.selenium.WebDriver, T> condition) {
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofMinutes(2));
        wait.ignoring(StaleElementReferenceException.class);
        return wait.until(condition);
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** The text of an element, or "" when there is none. */
    String text(String css) {
        List<WebElement> found = all(css);
        return found.isEmpty() ? "" : found.get(0).getText();
    }

    /** Starts a run through the API and returns its id. */
    String startRun(String json) {
        Http.Response r = http.send("POST", "/runs", json);
        if (r.status() != 201) {
            throw new IllegalStateException("POST /runs " + json + ": " + r.status() + " " + r.body());
        }
        return r.json().path("id").asText();
    }

    /** Waits for a run to end, on the run's own outcome. */
    void awaitEnd(String id) {
        RunHandle handle = server.registry().get(id).orElseThrow();
        handle.outcome().block(Duration.ofMinutes(2));
    }

    JsonNode run(String id) {
        return http.send("GET", "/runs/" + id, null).json();
    }

    /** Starts a sweep through the API and returns its id. */
    String startSweep(String json) {
        Http.Response r = http.send("POST", "/sweeps", json);
        if (r.status() != 201) {
            throw new IllegalStateException("POST /sweeps " + json + ": " + r.status() + " " + r.body());
        }
        return r.json().path("id").asText();
    }

    /**
     * Every control (input, select, button, link, focusable element) that the page renders, checked
     * against the viewport's width and against the visible box (client area) of every ancestor that
     * clips its content: what lies outside could not be seen or reached without scrolling a box
     * that may show no scrollbar.
     *
     * @return one line per control that lies outside, empty when none does
     */
    @SuppressWarnings("unchecked")
    List<String> controlsOutOfView() {
        return (List<String>) js("var out = [], vw = document.documentElement.clientWidth;"
                + "function name(e) { return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')"
                + " + (e.getAttribute('aria-label') ? '[' + e.getAttribute('aria-label') + ']' : '')"
                + " + (e.textContent && e.textContent.trim() ? ' \"' + e.textContent.trim().slice(0, 30) + '\"' : ''); }"
                + "function box(r) { return Math.round(r.left) + '..' + Math.round(r.right) + ' x ' + Math.round(r.top) + '..' + Math.round(r.bottom); }"
                + "document.querySelectorAll('input, select, button, textarea, a[href], [tabindex]').forEach(function (c) {"
                + "  var r = c.getBoundingClientRect();"
                + "  if (r.width === 0 && r.height === 0 || getComputedStyle(c).visibility === 'hidden') { return; }"
                + "  if (r.left < -0.5 || r.right > vw + 0.5) { out.push(name(c) + ' at ' + box(r) + ' leaves the viewport 0..' + vw); }"
                + "  for (var p = c.parentElement; p && p !== document.documentElement; p = p.parentElement) {"
                + "    var s = getComputedStyle(p);"
                + "    if (s.overflowX === 'visible' && s.overflowY === 'visible') { continue; }"
                + "    var q = p.getBoundingClientRect(), l = q.left + p.clientLeft, t = q.top + p.clientTop;"
                + "    var v = { left: l, right: l + p.clientWidth, top: t, bottom: t + p.clientHeight };"
                + "    if (s.overflowX !== 'visible' && (r.left < v.left - 0.5 || r.right > v.right + 0.5)"
                + "        || s.overflowY !== 'visible' && (r.top < v.top - 0.5 || r.bottom > v.bottom + 0.5)) {"
                + "      out.push(name(c) + ' at ' + box(r) + ' lies outside the visible box ' + box(v) + ' of ' + name(p).slice(0, 40));"
                + "    }"
                + "  }"
                + "});"
                + "if (document.documentElement.scrollWidth > vw + 1) { out.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + vw); }"
                + "return out;");
    }

    @Override
    public void close() throws IOException {
        try {
            browser.close();
        } finally {
            server.shutdown(Duration.ofSeconds(10));
        }
    }
}

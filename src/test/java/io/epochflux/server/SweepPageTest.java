package io.epochflux.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.epochflux.server.PageFixture.Viewport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.epochflux.server.HeadlessChromium.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The live page's sweeps in headless Chromium, at 1280x900 and 390x844 like {@link LivePageTest}:
 * start a sweep from its form and watch its chart and results, the form's notation and its
 * refusals, parallel-coordinates brushing filtering the trials table (by pointer and by keyboard),
 * a trial's row picking out its curve, and the sweep kept in the URL. Skipped where chromedriver
 * is not installed, unless EPOCHFLUX_REQUIRE_SERVERS=1 (CI), where that is a failure.
 */
// a stream that never ends must fail the test, not hang the build
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SweepPageTest {

    PageFixture page;

    @BeforeAll
    void start() throws IOException {
        page = PageFixture.start();
    }

    @AfterAll
    void stop() throws IOException {
        if (page != null) {
            page.close();
        }
    }

    private int points() {
        return Integer.parseInt(page.find("#sweep-chart").getAttribute("data-points"));
    }

    private int sweeps() {
        return page.http.send("GET", "/sweeps", null).json().path("sweeps").size();
    }

    /** Opens a finished sweep of six trials, successive halving, by its URL. */
    private String finishedSweep(Viewport size) {
        String id = page.startSweep("{\"hidden\":[[2],[8],[16,8]],\"lr\":[0.01,0.1],\"pruner\":\"sh\",\"epochs\":12}");
        page.open(size, "?sweep=" + id);
        page.waitFor(d -> page.all("#sweep-list tr[data-sweep='" + id + "'] .state").stream()
                .anyMatch(e -> e.getText().endsWith("finished")));
        page.waitFor(d -> page.all("#sweep-results tbody tr").size() == 6
                && page.all("#sweep-results tbody tr .state").stream().noneMatch(e -> e.getText().endsWith("training")));
        return id;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Viewport.class)
    void startsASweepFromTheFormAndWatchesItsChartAndResults(Viewport size) {
        page.open(size, "");
        WebElement form = page.find("#sweep-form");
        set(form.findElement(By.name("hidden")), "2,4,8");
        set(form.findElement(By.name("lr")), "0.01,0.05");
        new org.openqa.selenium.support.ui.Select(form.findElement(By.name("pruner"))).selectByVisibleText("sh");
        set(form.findElement(By.name("epochs")), "60");
        // every value the chart's point count takes, seen in the page itself: a fast sweep may be
        // over before the test looks twice
        page.js("var c = document.getElementById('sweep-chart'); window.sweepPoints = [];"
                + " new MutationObserver(function () { window.sweepPoints.push(+c.getAttribute('data-points')); })"
                + ".observe(c, { attributes: true, attributeFilter: ['data-points'] });");
        page.find("#sweep-button").click();

        page.waitFor(d -> points() >= 2);
        String id = page.waitFor(d -> page.all("#sweep-list tr.selected").isEmpty() ? null
                : page.find("#sweep-list tr.selected").getAttribute("data-sweep"));
        page.waitFor(d -> page.text("#sweep-list tr[data-sweep='" + id + "'] .state").endsWith("finished"));
        page.waitFor(d -> page.all("#sweep-results tbody tr").size() == 6
                && page.all("#sweep-results tbody tr .state").stream()
                        .allMatch(e -> e.getText().endsWith("finished") || e.getText().endsWith("pruned")));
        int all = 0;
        for (JsonNode t : page.http.send("GET", "/sweeps/" + id, null).json().path("trials")) {
            all += t.path("epochs").asInt();
        }
        int expected = all;
        page.waitFor(d -> points() == expected);
        @SuppressWarnings("unchecked")
        List<Long> seen = (List<Long>) page.js("return window.sweepPoints;");
        assertTrue(seen.stream().filter(n -> n > 0 && n < expected).distinct().count() >= 1,
                "the chart gained points as the trials trained: " + seen);
        assertEquals(1, page.all("#sweep-results tbody tr.best").size());
        assertTrue(page.all("#sweep-results tbody tr.pruned").size() >= 1, "successive halving pruned someone");
        assertEquals("", page.text("#sweep-error"));
        assertTrue(page.driver.getCurrentUrl().contains("sweep=" + id), "the sweep shown is in the URL");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Viewport.class)
    void theFormTakesTheCommandLinesNotation(Viewport size) {
        page.open(size, "");
        WebElement form = page.find("#sweep-form");
        set(form.findElement(By.name("hidden")), "32-16, 8");
        set(form.findElement(By.name("lr")), "0.01,0.1");
        set(form.findElement(By.name("epochs")), "3");
        page.find("#sweep-button").click();
        String id = page.waitFor(d -> page.all("#sweep-list tr.selected").isEmpty() ? null
                : page.find("#sweep-list tr.selected").getAttribute("data-sweep"));
        Set<String> hidden = new TreeSet<>();
        for (JsonNode t : page.http.send("GET", "/sweeps/" + id, null).json().path("trials")) {
            hidden.add(t.path("settings").path("hidden").asText() + " lr " + t.path("settings").path("lr").asText());
        }
        assertEquals(Set.of("32-16 lr 0.01", "32-16 lr 0.1", "8 lr 0.01", "8 lr 0.1"), hidden,
                "32-16 is two layers, the comma separates alternatives");
        page.waitFor(d -> page.all("#sweep-results tbody tr").size() == 4);
        assertTrue(page.text("#sweep-results tbody").contains("hidden=32-16"), page.text("#sweep-results tbody"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Viewport.class)
    void theFormRefusesWhatItCannotReadNamingTheField(Viewport size) {
        page.open(size, "");
        int before = sweeps();
        WebElement form = page.find("#sweep-form");
        WebElement hidden = form.findElement(By.name("hidden"));
        java.util.Map<String, String> expected = new java.util.LinkedHashMap<>();
        expected.put("2;8", "\"2;8\" is not a layer stack: write widths joined by '-', such as 32-16");
        expected.put("8,", "alternative 2 of 2 is empty");
        expected.put("32x16", "\"32x16\" is not a layer stack");
        expected.put("2,,3", "alternative 2 of 3 is empty");
        expected.put("", "alternative 1 of 1 is empty");
        expected.put("0", "\"0\" has a width below 1");
        for (var e : expected.entrySet()) {
            set(hidden, e.getKey());
            page.find("#sweep-button").click();
            String error = page.waitFor(d -> page.text("#sweep-form-hidden-error").contains(e.getValue())
                    ? page.text("#sweep-form-hidden-error") : null);
            assertTrue(error.startsWith("Hidden alternatives: "), error);
            assertEquals("true", hidden.getAttribute("aria-invalid"));
            assertEquals(hidden, page.driver.switchTo().activeElement(), "the field with the error has the focus");
        }
        set(hidden, "8");
        set(form.findElement(By.name("lr")), "0.01,,0.1");
        page.find("#sweep-button").click();
        String lr = page.waitFor(d -> page.text("#sweep-form-lr-error").isEmpty() ? null : page.text("#sweep-form-lr-error"));
        assertTrue(lr.startsWith("Learning rates: alternative 2 of 3 is empty"), lr);
        assertEquals("", page.text("#sweep-form-hidden-error"), "the fixed field's error is gone");
        set(form.findElement(By.name("lr")), "fast");
        page.find("#sweep-button").click();
        page.waitFor(d -> page.text("#sweep-form-lr-error").contains("\"fast\" is not a learning rate > 0"));
        assertEquals(before, sweeps(), "nothing was started");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Viewport.class)
    void brushingAnAxisFiltersTheTrialsTable(Viewport size) {
        finishedSweep(size);
        page.waitFor(d -> Integer.parseInt(page.find("#parallel").getAttribute("data-trials")) == 6);
        // the axes: the searched settings and the result
        List<String> axes = new ArrayList<>();
        page.all("#parallel g.axis").forEach(g -> axes.add(g.getAttribute("data-key")));
        assertEquals(List.of("hidden", "lr", "bestValLoss"), axes);
        List<Double> best = bestValLosses();
        WebElement axis = page.find("#parallel g.axis[data-key=bestValLoss] rect.hit");
        page.js("arguments[0].scrollIntoView({block: 'center'});", axis);
        int h = axis.getSize().getHeight();
        // from the bottom of the best val_loss axis to its middle: the better half of the range
        new Actions(page.driver).moveToElement(axis, 0, h / 2 - 3).clickAndHold().moveByOffset(0, -h / 4)
                .moveByOffset(0, -h / 4 + 3).release().perform();
        page.waitFor(d -> page.find("#parallel").getAttribute("data-brushed").equals("bestValLoss"));
        int kept = Integer.parseInt(page.find("#parallel").getAttribute("data-kept"));
        assertTrue(kept >= 1 && kept < 6, "some trials kept, not all: " + kept);
        page.waitFor(d -> page.all("#sweep-results tbody tr").size() == kept);
        List<Double> shown = bestValLosses();
        List<Double> lowest = new ArrayList<>(best);
        lowest.sort(null);
        assertEquals(lowest.subList(0, kept), shown, "the table keeps the trials with the lowest val_loss");
        assertTrue(page.text("#trials-filtered").startsWith("Showing " + kept + " of 6 trials"), page.text("#trials-filtered"));
        assertEquals(kept, page.all("#parallel polyline:not(.out)").size(), "the lines outside the brush are dimmed");
        // Clear brushes brings every trial back
        page.find("#clear-brushes").click();
        page.waitFor(d -> page.all("#sweep-results tbody tr").size() == 6);
        // the keyboard brushes too: the upper half of the hidden axis, then Escape
        WebElement hidden = page.find("#parallel g.axis[data-key=hidden]");
        page.js("arguments[0].focus();", hidden);
        hidden.sendKeys(Keys.ARROW_UP);
        page.waitFor(d -> page.find("#parallel").getAttribute("data-brushed").equals("hidden"));
        // a first arrow brushes the upper half: of 2, 8 and 16-8 (by total width), 8 and 16-8
        page.waitFor(d -> page.all("#sweep-results tbody tr").size() == 4);
        for (WebElement row : page.all("#sweep-results tbody tr")) {
            assertTrue(row.getText().contains("hidden=8 ") || row.getText().contains("hidden=16-8 "), row.getText());
        }
        page.driver.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        page.waitFor(d -> page.all("#sweep-results tbody tr").size() == 6);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Viewport.class)
    void aTrialsRowPicksOutItsCurveAndLine(Viewport size) {
        finishedSweep(size);
        WebElement row = page.all("#sweep-results tbody tr").get(2);
        String trial = row.getAttribute("data-trial");
        page.js("arguments[0].scrollIntoView({block: 'center'});", row);
        row.click();
        page.waitFor(d -> trial.equals(page.find("#sweep-chart").getAttribute("data-focus")));
        assertEquals("true", page.find("#sweep-results tr[data-trial='" + trial + "']").getAttribute("aria-selected"));
        assertTrue(page.find("#parallel polyline[data-id='" + trial + "']").getAttribute("class").contains("linked"));
        // Enter on the focused row undoes it
        page.driver.switchTo().activeElement().sendKeys(Keys.ENTER);
        page.waitFor(d -> "".equals(page.find("#sweep-chart").getAttribute("data-focus")));
        assertEquals("false", page.find("#sweep-results tr[data-trial='" + trial + "']").getAttribute("aria-selected"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Viewport.class)
    void noControlLiesOutsideItsContainersVisibleBoxWithASweep(Viewport size) {
        finishedSweep(size);
        page.waitFor(d -> Integer.parseInt(page.find("#parallel").getAttribute("data-trials")) == 6);
        assertEquals(List.of(), page.controlsOutOfView());
    }

    private List<Double> bestValLosses() {
        List<Double> values = new ArrayList<>();
        for (WebElement tr : page.all("#sweep-results tbody tr")) {
            String text = tr.findElements(By.cssSelector("td")).get(4).getText().replace("Best val_loss: ", "");
            values.add(Double.parseDouble(text));
        }
        return values;
    }
}

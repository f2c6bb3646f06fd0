package io.epochflux.server;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.epochflux.server.HeadlessChromium.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The live page's runs in headless Chromium (Debian's chromium and chromium-driver), each
 * interaction at a desktop's 1280x900 and a phone's 390x844: start from the form and watch, the
 * form's refusals, smoothing, log y and x by time kept in the URL, drag zoom and reset, the
 * synchronised cursor, the marks, hide, remove, download, cancel, filter and sort, dark mode, and
 * the layout check. Every wait is on what the page shows. Skipped where chromedriver is not
 * installed, unless EPOCHFLUX_REQUIRE_SERVERS=1 (CI), where that is a failure.
 */
// a stream that never ends must fail the test, not hang the build
@Timeout(value = 3, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LivePageTest {

    /** A short run that stops early on its own: 700 digits, one small layer. */
    private static final String QUICK = "{\"epochs\":80,\"hidden\":[8],\"patience\":3,\"trainSize\":700,\"valSize\":300,"
            + "\"lr\":0.05,\"name\":\"%s\"}";

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

    private String quickRun(String name) {
        String id = page.startRun(String.format(QUICK, name));
        page.awaitEnd(id);
        return id;
    }

    private String state(String id) {
        return page.text("#runs tr[data-run='" + id + "'] .state");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Viewport.class)
    void startsARunFromTheFormAndWatchesItsChartsAndStopReport(Viewport size) throws IOException {
        page.open(size, "");
        WebElement form = page.find("#run-form");
        // the page records every point count its chart shows, so growth is seen however fast the run is
        page.js("window.__points = [];"
                + "new MutationObserver(() => window.__points.push(Number(document.getElementById('loss-chart')"
                + ".getAttribute('data-points')))).observe(document.getElementById('loss-chart'),"
                + " {attributes: true, attributeFilter: ['data-points']});");
        set(form.findElement(By.name("epochs")), "300");
        set(form.findElement(By.name("hidden")), "32");
        set(form.findElement(By.name("trainSize")), "2000");
        set(form.findElement(By.name("patience")), "5");
        form.findElement(By.name("restoreBestWeights")).click();
        page.find("#start-button").click();

        page.waitFor(d -> !page.all(".stop-report").isEmpty());
        String report = page.text(".stop-report");
        assertTrue(report.contains("stopped_early") || report.contains("completed"), report);
        assertTrue(report.contains("reason"), report);
        String id = page.find(".stop-report").getAttribute("data-run");
        int epochs = page.run(id).path("epoch").asInt();
        page.waitFor(d -> Integer.parseInt(page.find("#loss-chart").getAttribute("data-points")) == 2 * epochs);
        @SuppressWarnings("unchecked")
        List<Number> seen = (List<Number>) page.js("return window.__points;");
        long steps = seen.stream().mapToLong(Number::longValue).filter(n -> n > 0 && n < 2L * epochs).distinct().count();
        assertTrue(steps >= 2, "the chart gained points epoch by epoch before the end: " + seen);
        page.waitFor(d -> state(id).equals("stopped_early") || state(id).equals("completed"));
        // the table has the run's settings, epoch, best, outcome and duration
        String row = page.text("#runs tr[data-run='" + id + "']");
        assertTrue(row.contains("32 relu") && row.contains("patience 5") && row.contains("restore"), row);
        assertTrue(page.text("#runs tr[data-run='" + id + "'] .epoch").startsWith(epochs + " / 300"), row);
        assertTrue(page.text("#runs tr[data-run='" + id + "'] .duration").endsWith(" s"), row);
        assertTrue(page.run(id).path("outcome").asText().equals(page.text("#runs tr[data-run='" + id + "'] .outcome")
                .replace("Outcome: ", "")), row);
        // the URL names the run shown, so a reload shows it again
        assertTrue(page.driver.getCurrentUrl().contains("runs=" + id), page.driver.getCurrentUrl());

        @SuppressWarnings("unchecked")
        List<String> resources = (List<String>) page.js(
                "return performance.getEntriesByType('resource').map(function (e) { return e.name; });");
        assertTrue(resources.stream().allMatch(u -> u.startsWith(page.server.url())), "nothing loaded from elsewhere: " + resources);
        assertTrue(resources.stream().anyMatch(u -> u.endsWith("/webjars/uplot/uPlot.iife.min.js")), resources.toString());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Viewport.class)
    void theRunFormRefusesWhatTheCommandLineRefusesNamingTheField(Viewport size) {
        page.open(size, "");
        int before = page.server.registry().size();
        WebElement form = page.find("#run-form");
        set(form.findElement(By.name("hidden")), "2,,3");
        page.find("#start-button").click();
        String error = page.waitFor(d -> page.text("#run-form-hidden-error")).trim();
        assertTrue(error.startsWith("Hidden widths must be whole numbers >= 1 separated by commas") && error.contains("\"2,,3\""),
                error);
        assertEquals("true", form.findElement(By.name("hidden")).getAttribute("aria-invalid"));
        assertTrue(page.find("#run-form-hidden-error").isDisplayed(), "the error shows beside its field");
        for (String bad : List.of("2,", "32-16", "a", "0")) {
            set(form.findElement(By.name("hidden")), bad);
            page.find("#start-button").click();
            page.waitFor(d -> page.text("#run-form-hidden-error").contains("\"" + bad + "\""));
        }
        set(form.findElement(By.name("hidden")), "8");
        set(form.findElement(By.name("epochs")), "1.5");
        page.find("#start-button").click();
        assertTrue(page.waitFor(d -> page.text("#run-form-epochs-error")).startsWith("Epochs must be a whole number >= 1"));
        assertEquals("", page.text("#run-form-hidden-error"), "a fixed field's error is gone");
        assertEquals(before, page.server.registry().size(), "nothing was started");
        // what the command line takes, the form takes
        set(form.findElement(By.name("epochs")), "5");
        set(form.findElement(By.name("hidden")), "16, 8");
        page.find("#start-button").click();
        page.waitFor(d -> page.server.registry().size() == before + 1);
        String id = page.waitFor(d -> page.all("#chart-legend li").isEmpty() ? null
                : page.find("#chart-legend li").getAttribute("data-run"));
        assertEquals("[16,8]", page.run(id).path("settings").path("hidden").toString());
        assertEquals("", page.text("#run-form-epochs-error"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Viewport.class)
    void smoothingDrawsTheDebiasedAverageOverTheFaintRawCurve(Viewport size) {
        String id = quickRun("smooth-" + size);
        page.open(size, "?runs=" + id);
        page.waitFor(d -> Integer.parseInt(page.find("#loss-chart").getAttribute("data-points")) > 0);
        assertEquals("2", page.find("#loss-chart").getAttribute("data-series"), "loss and val_loss, raw");
        WebElement slider = page.find("#smooth");
        slider.sendKeys(Keys.END);
        page.waitFor(d -> page.find("#smooth-value").getText().equals("0.99"));
        assertEquals("4", page.find("#loss-chart").getAttribute("data-series"), "each curve smoothed, its raw one behind");
        assertTrue(page.driver.getCurrentUrl().contains("smooth=0.99"), page.driver.getCurrentUrl());
        slider.sendKeys(Keys.HOME);
        for (int i = 0; i < 60; i++) {
            slider.sendKeys(Keys.ARROW_RIGHT);
        }
        page.waitFor(d -> page.find("#smooth-value").getText().equals("0.6"));
        // TensorBoard's debiased EMA: s_n = (w s_(n-1) + (1 - w) x_n) / (1 - w^n), a gap passed on
        @SuppressWarnings("unchecked")
        List<Number> smoothed = (List<Number>) page.js("return epochflux.smooth([2, 1, null, 4], 0.6);");
        double w = 0.6;
        double s1 = (1 - w) * 2;
        double s2 = w * s1 + (1 - w) * 1;
        double s3 = w * s2 + (1 - w) * 4;
        assertEquals(2.0, smoothed.get(0).doubleValue(), 1e-12, "debiased: the first point is itself");
        assertEquals(s2 / (1 - w * w), smoothed.get(1).doubleValue(), 1e-12);
        assertEquals(null, smoothed.get(2));
        assertEquals(s3 / (1 - w * w * w), smoothed.get(3).doubleValue(), 1e-12);
        // the readout names the smoothed value and the raw one
        new Actions(page.driver).moveToElement(page.find("#loss-chart .u-over")).perform();
        String readout = page.waitFor(d -> page.text("#loss-readout").contains("raw") ? page.text("#loss-readout") : null);
        assertTrue(readout.contains("smooth-" + size + " loss "), readout);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Viewport.class)
    void logYAndTimeOnXAreKeptInTheUrlAndSurviveAReload(Viewport size) {
        String id = quickRun("log-" + size);
        page.open(size, "?runs=" + id);
        page.find("input[name=yscale][value=log]").click();
        page.waitFor(d -> page.find("#loss-chart").getAttribute("data-scale").equals("log"));
        page.find("input[name=xaxis][value=time]").click();
        page.waitFor(d -> page.driver.getCurrentUrl().contains("x=time"));
        assertTrue(page.driver.getCurrentUrl().contains("y=log"), page.driver.getCurrentUrl());
        // the axes say so
        assertEquals("loss (log)", page.find("#loss-chart").getAttribute("data-y-label"));
        assertEquals("seconds of training", page.find("#loss-chart").getAttribute("data-x-label"));
        page.find("#smooth").sendKeys(Keys.END);
        page.waitFor(d -> page.driver.getCurrentUrl().contains("smooth=0.99"));
        page.find("#theme-toggle").click();
        page.waitFor(d -> page.driver.getCurrentUrl().contains("theme=dark"));

        page.driver.navigate().refresh();
        page.waitFor(d -> page.find("#loss-chart").getAttribute("data-scale").equals("log")
                && Integer.parseInt(page.find("#loss-chart").getAttribute("data-points")) > 0);
        assertTrue(page.find("input[name=yscale][value=log]").isSelected());
        assertTrue(page.find("input[name=xaxis][value=time]").isSelected());
        assertEquals("0.99", page.find("#smooth-value").getText());
        assertEquals("dark", page.find("html").getAttribute("data-theme"));
        assertTrue(page.find("#runs tr[data-run='" + id + "'] input[data-action=show]").isSelected(), "the run is shown again");
        assertEquals("seconds of training", page.find("#loss-chart").getAttribute("data-x-label"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Viewport.class)
    void aDragZoomsEveryChartAndResetUndoesIt(Viewport size) {
        String id = quickRun("zoom-" + size);
        page.open(size, "?runs=" + id);
        page.waitFor(d -> Integer.parseInt(page.find("#accuracy-chart").getAttribute("data-points")) > 0);
        WebElement over = page.find("#loss-chart .u-over");
        page.js("arguments[0].scrollIntoView({block: 'center'});", over);
        int w = over.getSize().getWidth();
        assertTrue(page.find("#reset-zoom").getAttribute("disabled") != null, "nothing to reset yet");
        new Actions(page.driver).moveToElement(over, -w / 4, 0).clickAndHold().moveByOffset(w / 8, 0)
                .moveByOffset(w / 8, 0).release().perform();
        page.waitFor(d -> page.find("#reset-zoom").getAttribute("disabled") == null);
        String loss = page.find("#loss-chart").getAttribute("data-zoom");
        assertEquals(loss, page.find("#accuracy-chart").getAttribute("data-zoom"), "every chart follows the zoom");
        String[] range = loss.split(" to ");
        int last = page.run(id).path("epoch").asInt();
        double from = Double.parseDouble(range[0]);
        double to = Double.parseDouble(range[1]);
        assertTrue(from > 1 && to < last && to > from, "a part of 1.." + last + ": " + loss);
        page.find("#reset-zoom").click();
        page.waitFor(d -> page.find("#loss-chart").getAttribute("data-zoom") == null);
        assertTrue(page.find("#reset-zoom").getAttribute("disabled") != null);
        // a double-click resets too
        new Actions(page.driver).moveToElement(over, -w / 4, 0).clickAndHold().moveByOffset(w / 4, 0).release().perform();
        page.waitFor(d -> page.find("#loss-chart").getAttribute("data-zoom") != null);
        new Actions(page.driver).doubleClick(over).perform();
        page.waitFor(d -> page.find("#loss-chart").getAttribute("data-zoom") == null);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Viewport.class)
    void theCursorIsSharedAndEachReadoutListsEveryShownRun(Viewport size) {
        String a = quickRun("cursor-a-" + size);
        String b = quickRun("cursor-b-" + size);
        page.open(size, "?runs=" + a + "," + b);
        page.waitFor(d -> page.all("#chart-legend li").size() == 2
                && Integer.parseInt(page.find("#accuracy-chart").getAttribute("data-points")) > 0);
        WebElement over = page.find("#loss-chart .u-over");
        page.js("arguments[0].scrollIntoView({block: 'center'});", over);
        new Actions(page.driver).moveToElement(over, -over.getSize().getWidth() / 3, 0).perform();
        String loss = page.waitFor(d -> page.text("#loss-readout").isEmpty() ? null : page.text("#loss-readout"));
        String accuracy = page.waitFor(d -> page.text("#accuracy-readout").isEmpty() ? null : page.text("#accuracy-readout"));
        String epoch = loss.substring(0, loss.indexOf(':'));
        assertTrue(epoch.startsWith("epoch "), loss);
        assertTrue(accuracy.startsWith(epoch + ":"), "the accuracy chart's cursor follows the loss chart's: " + accuracy);
        for (String run : List.of("cursor-a-" + size, "cursor-b-" + size)) {
            assertTrue(loss.contains(run + " loss ") && loss.contains("val_loss "), loss);
            assertTrue(accuracy.contains(run + " accuracy "), accuracy);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Viewport.class)
    void hidesRemovesAndDownloadsRuns(Viewport size) throws IOException {
        String a = quickRun("keep-" + size);
        String b = quickRun("drop-" + size);
        page.open(size, "?runs=" + a + "," + b);
        page.waitFor(d -> page.all("#chart-legend li").size() == 2);
        int both = Integer.parseInt(page.waitFor(d -> {
            String p = page.find("#loss-chart").getAttribute("data-points");
            int expected = 2 * (page.run(a).path("epoch").asInt() + page.run(b).path("epoch").asInt());
            return Integer.parseInt(p) == expected ? p : null;
        }));
        // hide: off the charts and out of the URL, still in the table
        page.find("#runs tr[data-run='" + b + "'] input[data-action=show]").click();
        page.waitFor(d -> page.all("#chart-legend li").size() == 1);
        assertEquals(a, page.find("#chart-legend li").getAttribute("data-run"));
        assertEquals(2 * page.run(a).path("epoch").asInt(), Integer.parseInt(page.find("#loss-chart").getAttribute("data-points")));
        assertTrue(Integer.parseInt(page.find("#loss-chart").getAttribute("data-points")) < both);
        assertTrue(page.driver.getCurrentUrl().contains("runs=" + a) && !page.driver.getCurrentUrl().contains("," + b),
                page.driver.getCurrentUrl());
        assertFalse(page.all("#runs tr[data-run='" + b + "']").isEmpty());

        // download: the CSV lands in the browser's downloads, as the server writes it
        Path downloads = Files.createTempDirectory("epochflux-downloads");
        page.browser.downloadsTo(downloads);
        WebElement csv = page.find("#runs tr[data-run='" + a + "'] [data-action=csv]");
        assertEquals("keep-" + size + "-history.csv", csv.getAttribute("download"));
        csv.click();
        Path file = downloads.resolve("keep-" + size + "-history.csv");
        page.waitFor(d -> Files.exists(file) && file.toFile().length() > 0);
        List<String> lines = Files.readAllLines(file);
        assertEquals("epoch,loss,accuracy,val_loss,val_accuracy", lines.get(0));
        assertEquals(page.run(a).path("epoch").asInt() + 1, lines.size());
        assertEquals(page.http.send("GET", "/runs/" + a + "/history.csv", null).body(), Files.readString(file));
        page.find("#runs tr[data-run='" + a + "'] [data-action=model]").click();
        Path model = downloads.resolve("keep-" + size + "-model.zip");
        page.waitFor(d -> Files.exists(model) && model.toFile().length() > 0);

        // remove: gone from the table and from the server
        page.find("#runs tr[data-run='" + b + "'] [data-action=remove]").click();
        page.waitFor(d -> page.all("#runs tr[data-run='" + b + "']").isEmpty());
        assertEquals(404, page.http.send("GET", "/runs/" + b, null).status());
        assertFalse(page.all("#runs tr[data-run='" + a + "']").isEmpty());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Viewport.class)
    void cancelsARunningRunFromItsRowAndMarksTheCancel(Viewport size) {
        String id = page.startRun("{\"epochs\":10000,\"hidden\":[64],\"noEarlyStopping\":true,\"trainSize\":4000,"
                + "\"name\":\"long-" + size + "\"}");
        page.open(size, "?runs=" + id);
        page.waitFor(d -> state(id).equals("training") && Integer.parseInt(
                page.find("#loss-chart").getAttribute("data-points")) > 0);
        assertTrue(page.all("#runs tr[data-run='" + id + "'] [data-action=remove]").isEmpty(), "a running run cannot be removed");
        WebElement cancel = page.find("#runs tr[data-run='" + id + "'] [data-action=cancel]");
        assertTrue(cancel.isDisplayed());
        cancel.click();
        page.waitFor(d -> state(id).equals("cancelled"));
        String legend = page.waitFor(d -> page.find("#chart-legend li[data-run='" + id + "']").getAttribute("data-cancel") == null
                ? null : page.text("#chart-legend li[data-run='" + id + "']"));
        int last = page.run(id).path("epoch").asInt();
        assertTrue(last < 10000);
        assertTrue(legend.contains("✕ cancelled at " + last), legend);
        assertFalse(page.all("#runs tr[data-run='" + id + "'] [data-action=remove]").isEmpty(), "an ended run can be removed");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Viewport.class)
    void marksTheBestEpochAndTheStopDistinctly(Viewport size) {
        String id = quickRun("marks-" + size);
        int best = page.run(id).path("stop").path("bestEpoch").asInt();
        int stop = page.run(id).path("stop").path("epoch").asInt();
        page.open(size, "?runs=" + id);
        String legend = page.waitFor(d -> page.all("#chart-legend li[data-stop]").isEmpty() ? null : page.text("#chart-legend li"));
        assertTrue(legend.contains("◆ best epoch " + best) && legend.contains("■ stopped at " + stop), legend);
        WebElement li = page.find("#chart-legend li");
        assertEquals(String.valueOf(best), li.getAttribute("data-best"));
        assertEquals(String.valueOf(stop), li.getAttribute("data-stop"));
        assertEquals(null, li.getAttribute("data-cancel"));
        assertEquals("loss", page.find("#loss-chart").getAttribute("data-y-label"), "the y axis is labelled");
        assertEquals("accuracy", page.find("#accuracy-chart").getAttribute("data-y-label"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Viewport.class)
    void filtersAndSortsTheRunsTable(Viewport size) {
        String a = quickRun("alpha-fs-" + size);
        String b = page.startRun("{\"epochs\":40,\"hidden\":[32],\"patience\":2,\"lr\":0.05,\"name\":\"beta-fs-" + size + "\"}");
        page.awaitEnd(b);
        page.open(size, "");
        page.waitFor(d -> !page.all("#runs tr[data-run='" + b + "']").isEmpty());
        set(page.find("#run-filter"), "beta-fs-" + size);
        page.waitFor(d -> page.all("#runs tbody tr").size() == 1);
        assertEquals(b, page.find("#runs tbody tr").getAttribute("data-run"));
        assertTrue(page.text("#runs-filtered").startsWith("Showing 1 of "), page.text("#runs-filtered"));
        assertTrue(page.driver.getCurrentUrl().contains("filter=beta-fs-" + size), page.driver.getCurrentUrl());
        // a setting filters too: only beta has a 32-wide layer
        set(page.find("#run-filter"), "32 relu");
        page.waitFor(d -> page.all("#runs tbody tr").stream().anyMatch(tr -> b.equals(tr.getAttribute("data-run")))
                && page.all("#runs tbody tr").stream().noneMatch(tr -> a.equals(tr.getAttribute("data-run"))));
        set(page.find("#run-filter"), "-fs-" + size);
        page.waitFor(d -> page.all("#runs tbody tr").size() == 2);
        // sort by best, ascending: beta's 32-wide net does better than alpha's 8-wide one
        new org.openqa.selenium.support.ui.Select(page.find("#run-sort")).selectByValue("best");
        new org.openqa.selenium.support.ui.Select(page.find("#run-order")).selectByValue("asc");
        List<String> order = page.waitFor(d -> {
            List<String> ids = new ArrayList<>();
            page.all("#runs tbody tr").forEach(tr -> ids.add(tr.getAttribute("data-run")));
            return ids.size() == 2 ? ids : null;
        });
        double bestA = page.run(a).path("best").path("value").asDouble();
        double bestB = page.run(b).path("best").path("value").asDouble();
        assertEquals(bestA < bestB ? List.of(a, b) : List.of(b, a), order);
        new org.openqa.selenium.support.ui.Select(page.find("#run-order")).selectByValue("desc");
        page.waitFor(d -> page.find("#runs tbody tr").getAttribute("data-run").equals(bestA < bestB ? b : a));
        if (size == Viewport.DESKTOP) {
            // the column headers sort too, and say how
            page.find("#runs th[data-sort=name] button").click();
            page.waitFor(d -> page.find("#runs th[data-sort=name]").getAttribute("aria-sort").equals("ascending"));
            assertEquals(a, page.find("#runs tbody tr").getAttribute("data-run"), "alpha before beta");
        }
        set(page.find("#run-filter"), "");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Viewport.class)
    void darkModeFollowsTheSystemUntilTheToggleChooses(Viewport size) {
        page.open(size, "");
        assertEquals("light", page.find("html").getAttribute("data-theme"));
        page.browser.colorScheme("dark");
        page.waitFor(d -> "dark".equals(page.find("html").getAttribute("data-theme")));
        assertTrue(luminance("body") < 0.1, "a dark background");
        assertTrue(luminance(".card") < 0.15, "dark cards");
        assertEquals("true", page.find("#theme-toggle").getAttribute("aria-pressed"));
        assertEquals("Light mode", page.find("#theme-toggle").getText());
        page.find("#theme-toggle").click();
        page.waitFor(d -> "light".equals(page.find("html").getAttribute("data-theme")));
        assertTrue(luminance("body") > 0.8, "a light background, though the system is dark");
        assertTrue(page.driver.getCurrentUrl().contains("theme=light"));
        page.driver.navigate().refresh();
        page.waitFor(d -> "light".equals(page.find("html").getAttribute("data-theme")));
        // keyboard: the toggle is a button in the tab order
        page.find("#theme-toggle").sendKeys(Keys.ENTER);
        page.waitFor(d -> "dark".equals(page.find("html").getAttribute("data-theme")));
        page.browser.colorScheme("light");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Viewport.class)
    void theFaviconIsServed(Viewport size) {
        page.open(size, "");
        String href = page.find("link[rel=icon]").getAttribute("href");
        Http.Response icon = page.http.send("GET", java.net.URI.create(href).getPath(), null);
        assertEquals(200, icon.status());
        assertEquals("image/svg+xml", icon.header("Content-Type"));
        assertTrue(icon.body().startsWith("<svg"), icon.body());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Viewport.class)
    void noControlLiesOutsideItsContainersVisibleBox(Viewport size) {
        // a finished run, a long-named one with every setting, a running one with its Cancel, and a sweep
        String done = quickRun("layout-" + size);
        String wide = page.startRun("{\"epochs\":30,\"hidden\":[64,32,16],\"activation\":\"tanh\",\"optimizer\":\"adam\","
                + "\"lr\":0.001,\"batchSize\":32,\"restoreBestWeights\":true,\"patience\":10,"
                + "\"name\":\"a-rather-long-run-name-for-the-layout-" + size + "\"}");
        page.awaitEnd(wide);
        String running = page.startRun("{\"epochs\":10000,\"hidden\":[64],\"noEarlyStopping\":true,\"trainSize\":4000,"
                + "\"name\":\"running-" + size + "\"}");
        String sweep = page.startSweep("{\"hidden\":[[2],[8],[16,8]],\"lr\":[0.01,0.1],\"pruner\":\"sh\",\"epochs\":12}");
        page.open(size, "?runs=" + done + "," + wide + "," + running + "&sweep=" + sweep);
        page.waitFor(d -> state(running).equals("training") && page.all("#chart-legend li").size() == 3);
        page.waitFor(d -> page.all("#sweep-list tr[data-sweep='" + sweep + "'] .state").stream()
                .anyMatch(e -> e.getText().endsWith("finished")));
        page.waitFor(d -> Integer.parseInt(page.find("#parallel").getAttribute("data-trials")) == 6
                && page.all("#sweep-results tbody tr").size() == 6);
        List<String> problems = page.controlsOutOfView();
        assertEquals(List.of(), problems);
        // the Cancel and Outcome of each row are in view without scrolling sideways
        for (String id : List.of(done, wide, running)) {
            Number right = (Number) page.js("var m = 0; document.querySelectorAll(\"#runs tr[data-run='\" + arguments[0]"
                    + " + \"'] .outcome, #runs tr[data-run='\" + arguments[0] + \"'] .actions > *\").forEach(function (c) {"
                    + " m = Math.max(m, c.getBoundingClientRect().right); }); return m;", id);
            assertTrue(right.doubleValue() > 0 && right.doubleValue() <= size.width, id + ": Outcome and actions end at " + right);
        }
        page.http.send("DELETE", "/runs/" + running, null);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Viewport.class)
    void aRegressionGetsAnMaeChartAndARateItsOwnChart(Viewport size) throws IOException {
        // the server trains MNIST classifiers only: the page is fed a recorded regression (the
        // diabetes run of docs/charts, with its learning rate lowered on plateaus) in place of one
        page.browser.beforeEachPage(FakeRun.script("900", "regression-" + size,
                Path.of(System.getProperty("epochflux.basedir", ".")).resolve("docs/charts/regression/history.csv")));
        try {
            page.open(size, "?runs=900");
            page.waitFor(d -> Integer.parseInt(page.find("#mae-chart").getAttribute("data-points")) == 2 * 52);
            assertTrue(page.find("#mae-box").isDisplayed(), "the mae chart shows");
            assertFalse(page.find("#accuracy-box").isDisplayed(), "a regression alone has no accuracy chart");
            assertTrue(page.find("#lr-box").isDisplayed(), "the rate has a chart of its own");
            assertEquals("52", page.find("#lr-chart").getAttribute("data-points"));
            assertEquals("log", page.find("#lr-chart").getAttribute("data-scale"));
            assertEquals("learning rate (log)", page.find("#lr-chart").getAttribute("data-y-label"));
            assertEquals("mae", page.find("#mae-chart").getAttribute("data-y-label"));
            String legend = page.text("#chart-legend li");
            assertTrue(legend.contains("◆ best epoch 32") && legend.contains("■ stopped at 52"), legend);
            // the cursor runs over the rate's chart too
            WebElement over = page.find("#mae-chart .u-over");
            page.js("arguments[0].scrollIntoView({block: 'center'});", over);
            new Actions(page.driver).moveToElement(over).perform();
            String mae = page.waitFor(d -> page.text("#mae-readout").isEmpty() ? null : page.text("#mae-readout"));
            String rate = page.waitFor(d -> page.text("#lr-readout").isEmpty() ? null : page.text("#lr-readout"));
            assertEquals(mae.substring(0, mae.indexOf(':')), rate.substring(0, rate.indexOf(':')), rate);
            assertTrue(rate.contains("learning_rate 0.0"), rate);
        } finally {
            page.browser.beforeEachPage(null);
        }
    }

    private double luminance(String css) {
        String rgb = (String) page.js("return getComputedStyle(document.querySelector(arguments[0])).backgroundColor;", css);
        String[] c = rgb.replaceAll("[^0-9,.]", "").split(",");
        return (0.2126 * Double.parseDouble(c[0]) + 0.7152 * Double.parseDouble(c[1]) + 0.0722 * Double.parseDouble(c[2])) / 255;
    }
}

package io.epochflux.server;

import io.epochflux.server.PageFixture.Viewport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.Keys;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Not a check but the README's pictures: the live page with finished runs, a running one, a
 * sweep and smoothing on, at 1280x900 and 390x844, light and dark, each of the whole page.
 * Runs only when asked:
 * {@code mvn -B test -Dtest=PageScreenshotsTest -Depochflux.screenshots=docs/page}.
 */
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PageScreenshotsTest {

    @Test
    void screenshotsOfThePage() throws IOException {
        String dir = System.getProperty("epochflux.screenshots");
        Assumptions.assumeTrue(dir != null && !dir.isBlank(), "-Depochflux.screenshots=DIR asks for the screenshots");
        Path out = Path.of(System.getProperty("epochflux.basedir", ".")).resolve(dir);
        try (PageFixture page = PageFixture.start()) {
            StringBuilder ids = new StringBuilder();
            for (String run : List.of(
                    "{\"epochs\":300,\"hidden\":[32],\"patience\":5,\"trainSize\":2000,\"restoreBestWeights\":true,\"name\":\"patience-5\"}",
                    "{\"epochs\":300,\"hidden\":[32],\"patience\":20,\"trainSize\":2000,\"name\":\"patience-20\"}",
                    "{\"epochs\":150,\"hidden\":[64,32],\"optimizer\":\"adam\",\"lr\":0.001,\"noEarlyStopping\":true,"
                            + "\"trainSize\":2000,\"name\":\"adam-150\"}")) {
                String id = page.startRun(run);
                page.awaitEnd(id);
                ids.append(id).append(',');
            }
            String sweep = page.startSweep("{\"hidden\":[[2],[8],[32],[32,16]],\"lr\":[0.01,0.1,0.5],\"pruner\":\"sh\",\"epochs\":40}");
            String running = page.startRun("{\"epochs\":10000,\"hidden\":[64],\"noEarlyStopping\":true,\"trainSize\":4000,"
                    + "\"name\":\"long-run\"}");
            ids.append(running);
            for (Viewport size : Viewport.values()) {
                for (String theme : List.of("light", "dark")) {
                    page.open(size, "?runs=" + ids + "&smooth=0.6&sweep=" + sweep + "&theme=" + theme);
                    page.waitFor(d -> page.all("#chart-legend li").size() == 4
                            && page.text("#runs tr[data-run='" + running + "'] .state").endsWith("training"));
                    page.waitFor(d -> page.text("#sweep-list tr[data-sweep='" + sweep + "'] .state").endsWith("finished")
                            && page.all("#sweep-results tbody tr").size() == 12
                            && Integer.parseInt(page.find("#parallel").getAttribute("data-trials")) == 12);
                    // the best trial picked out, and the cursor on the loss chart
                    page.find("#sweep-results tbody tr.best").sendKeys(Keys.ENTER);
                    page.waitFor(d -> !"".equals(page.find("#sweep-chart").getAttribute("data-focus")));
                    assertEquals(List.of(), page.controlsOutOfView());
                    page.js("window.scrollTo(0, 0);");
                    page.browser.screenshotOfThePage(out.resolve(size.name().toLowerCase(Locale.ROOT) + "-" + theme + ".png"));
                }
            }
            page.http.send("DELETE", "/runs/" + running, null);
        }
    }
}

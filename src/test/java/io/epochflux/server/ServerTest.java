package io.epochflux.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.epochflux.nn.Sequential;
import io.epochflux.runs.RunHandle;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.RunOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The service over real HTTP on loopback: runs, their event streams, downloads, metrics. */
// a stream that never ends must fail the test, not hang the build
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServerTest {

    static final Duration WAIT = Duration.ofMinutes(2);
    static final String SMALL = "{\"epochs\":15,\"trainSize\":50,\"valSize\":20,\"noEarlyStopping\":true}";
    static final String LONG = "{\"epochs\":10000,\"trainSize\":20,\"valSize\":10,\"noEarlyStopping\":true}";

    EpochfluxServer server;
    Http http;

    @BeforeEach
    void start() {
        server = EpochfluxServer.builder().port(0).poolThreads(2).heartbeat(Duration.ofMillis(200)).start();
        http = new Http(server.port());
    }

    @AfterEach
    void stop() {
        server.shutdown(Duration.ofSeconds(10));
    }

    RunHandle handle(String id) {
        return server.registry().get(id).orElseThrow();
    }

    static List<EpochMetrics> epochs(List<Http.Event> events) {
        List<EpochMetrics> list = new ArrayList<>();
        for (Http.Event e : events) {
            if (e.event().equals("epoch")) {
                try {
                    list.add(Http.JSON.readValue(e.data(), EpochMetrics.class));
                } catch (IOException x) {
                    throw new AssertionError(x);
                }
            }
        }
        return list;
    }

    static List<String> kinds(List<Http.Event> events) {
        return events.stream().map(Http.Event::event).filter(k -> !k.equals("epoch")).collect(Collectors.toList());
    }

    @Test
    void followsARunToTheEndAndTheEpochsAreItsHistory() {
        Http.Response created = http.post("/runs", "{\"epochs\":40,\"trainSize\":50,\"valSize\":20,\"patience\":2,\"monitor\":\"loss\"}");
        assertEquals(201, created.status(), created.body());
        String id = created.json().get("id").asText();
        assertEquals("/runs/" + id, created.header("Location"));
        assertEquals("application/json", created.header("Content-Type"));

        List<Http.Event> events = http.follow(id);
        List<EpochMetrics> seen = epochs(events);
        RunHandle handle = handle(id);
        assertEquals(handle.history().epochs(), seen, "the stream's epochs are the run's history");
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(String.valueOf(i + 1), events.get(i).id(), "each epoch event carries its epoch as id");
        }
        assertEquals(List.of("stop", "end"), kinds(events));
        JsonNode stop = events.get(events.size() - 2).json();
        assertEquals(seen.size(), stop.get("epochs").asInt());
        assertEquals(stop.get("report").get("epoch").asInt(), seen.size());

        JsonNode run = http.get("/runs/" + id).json();
        assertEquals(handle.outcomeNow().orElseThrow().kind().name().toLowerCase(), run.get("state").asText());
        assertEquals(seen.size(), run.get("epoch").asInt());
        assertEquals(seen.size(), run.get("history").get("epochs").asInt());
        assertTrue(run.get("stop").has("reason"), run.toString());
        JsonNode list = http.get("/runs").json().get("runs");
        assertEquals(id, list.get(0).get("id").asText());
        assertTrue(list.get(0).get("best").has("epoch"));

        String csv = http.get("/runs/" + id + "/history.csv").body();
        assertTrue(csv.startsWith("epoch,loss,accuracy,val_loss,val_accuracy\n"), csv);
        assertEquals(seen.size() + 1, csv.lines().count());
    }

    @Test
    void twoClientsOnOneRunGetTheSameEpochs() throws Exception {
        String id = http.start(SMALL);
        CompletableFuture<List<Http.Event>> a = CompletableFuture.supplyAsync(() -> http.follow(id));
        CompletableFuture<List<Http.Event>> b = CompletableFuture.supplyAsync(() -> http.follow(id));
        List<EpochMetrics> ea = epochs(a.get(2, TimeUnit.MINUTES));
        List<EpochMetrics> eb = epochs(b.get(2, TimeUnit.MINUTES));
        assertEquals(15, ea.size());
        assertEquals(ea, eb);
    }

    @Test
    void aLateClientGetsTheEarlierEpochsThenTheEnd() {
        String id = http.start(SMALL);
        handle(id).outcome().block(WAIT);
        List<Http.Event> events = http.follow(id);
        assertEquals(handle(id).history().epochs(), epochs(events));
        assertEquals(List.of("stop", "end"), kinds(events));
    }

    @Test
    void lastEventIdResumesAfterThatEpoch() {
        String id = http.start(SMALL);
        List<Http.Event> events = http.follow(id, "Last-Event-ID", "11");
        assertEquals(List.of(12, 13, 14, 15), epochs(events).stream().map(EpochMetrics::epoch).collect(Collectors.toList()));
        assertEquals(400, http.get("/runs/" + id + "/epochs", "Last-Event-ID", "x").status());
    }

    @Test
    void idleStreamsGetCommentHeartbeatsAndARetryHint() throws Exception {
        // epochs of tens of milliseconds: the stream carries heartbeats between them
        String id = http.start("{\"epochs\":10000,\"trainSize\":6000,\"valSize\":2000,\"batchSize\":100,\"noEarlyStopping\":true}");
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(60_000);
            s.getOutputStream().write(("GET /runs/" + id + "/epochs HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                    StandardCharsets.UTF_8));
            boolean retry = false;
            boolean heartbeat = false;
            String line;
            while (!(retry && heartbeat) && (line = r.readLine()) != null) {
                retry |= line.startsWith("retry: ");
                heartbeat |= line.startsWith(": keep-alive");
                if (line.startsWith("Content-Type:") || line.startsWith("content-type:")) {
                    assertTrue(line.contains("text/event-stream"), line);
                }
            }
            assertTrue(retry && heartbeat);
        }
        http.delete("/runs/" + id);
    }

    @Test
    void cancellingMidwayStopsTheRunAndTheStreamSaysCancelled() {
        String id = http.start("{\"epochs\":10000,\"trainSize\":3000,\"valSize\":1000,\"noEarlyStopping\":true}");
        CompletableFuture<Http.Response> deleted = new CompletableFuture<>();
        List<Http.Event> events = new ArrayList<>();
        // the DELETE goes from another thread so this reader keeps reading; a reader that still falls
        // behind the fast run is dropped and resumes with Last-Event-ID, as a browser does
        while (!kinds(events).contains("end")) {
            List<EpochMetrics> sofar = epochs(events);
            String last = sofar.isEmpty() ? "0" : String.valueOf(sofar.get(sofar.size() - 1).epoch());
            events.removeIf(e -> e.event().equals("dropped"));
            events.addAll(http.follow(id, e -> {
                if ("3".equals(e.id()) && !deleted.isDone()) {
                    CompletableFuture.supplyAsync(() -> http.delete("/runs/" + id)).thenAccept(deleted::complete);
                }
            }, "Last-Event-ID", last));
        }
        Http.Response r = deleted.join();
        assertEquals(200, r.status(), r.body());
        assertEquals("cancelled", r.json().get("state").asText());
        assertEquals(List.of("stop", "end"), kinds(events));
        assertEquals("cancelled", events.get(events.size() - 2).json().get("outcome").asText());
        int n = epochs(events).size();
        assertTrue(n >= 3 && n < 10_000, "stopped midway: " + n);
        assertEquals(RunOutcome.Kind.CANCELLED, handle(id).outcomeNow().orElseThrow().kind());
        assertEquals(n, handle(id).epochs());
    }

    @Test
    void theModelDownloadsOnceTheRunHasEnded(@TempDir Path dir) throws IOException {
        String id = http.start(LONG);
        Http.Response early = http.get("/runs/" + id + "/model");
        assertEquals(409, early.status(), early.body());
        http.delete("/runs/" + id);
        byte[] zip = http.bytes("/runs/" + id + "/model");
        Path file = dir.resolve("model.zip");
        Files.write(file, zip);
        Sequential model = Sequential.load(file);
        assertEquals(784, model.inputs());
    }

    @Test
    void metricsAreScrapedWithThePrometheusTextContentType() {
        String id = http.start(SMALL);
        handle(id).outcome().block(WAIT);
        Http.Response r = http.get("/metrics");
        assertEquals(200, r.status());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.header("Content-Type"));
        assertTrue(r.body().contains("epochflux_epochs") && r.body().contains("run=\"run-" + id + "\""), r.body());
    }

    @Test
    void servesTheLivePageAndUplotFromTheClasspath() {
        Http.Response page = http.get("/");
        assertEquals(200, page.status());
        assertTrue(page.header("Content-Type").startsWith("text/html"));
        Http.Response uplot = http.get("/webjars/uplot/uPlot.iife.min.js");
        assertEquals(200, uplot.status());
        assertTrue(uplot.body().contains("uPlot"));
        assertEquals(404, http.get("/nothing-here").status());
        JsonNode info = http.get("/server").json();
        assertEquals("bundled", info.get("data").get(0).asText());
        assertEquals(false, info.get("tokenRequired").asBoolean());
    }

    @Test
    void aClientThatNeverReadsIsDroppedWhileTheRunCompletesWithAllItsEpochs() throws Exception {
        server.shutdown(Duration.ofSeconds(5));
        server = EpochfluxServer.builder().port(0).poolThreads(1).viewerBuffer(64).socketSendBuffer(4096)
                .writeTimeout(Duration.ofSeconds(1)).start();
        http = new Http(server.port());
        int epochs = 4000;
        String id = http.start("{\"epochs\":" + epochs + ",\"trainSize\":10,\"valSize\":10,\"noEarlyStopping\":true}");
        try (Socket stuck = new Socket()) {
            stuck.setReceiveBufferSize(1024);
            stuck.connect(new InetSocketAddress("127.0.0.1", server.port()));
            OutputStream out = stuck.getOutputStream();
            out.write(("GET /runs/" + id + "/epochs HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // a reader beside the one that never reads; should it fall behind too, it resumes as a browser does
            List<Http.Event> reader = new ArrayList<>();
            while (!kinds(reader).contains("end")) {
                List<EpochMetrics> sofar = epochs(reader);
                String last = sofar.isEmpty() ? "0" : String.valueOf(sofar.get(sofar.size() - 1).epoch());
                reader.addAll(http.follow(id, "Last-Event-ID", last));
            }
            assertEquals(java.util.stream.IntStream.rangeClosed(1, epochs).boxed().collect(Collectors.toList()),
                    epochs(reader).stream().map(EpochMetrics::epoch).collect(Collectors.toList()));
            RunOutcome outcome = handle(id).outcome().block(WAIT);
            assertEquals(RunOutcome.Kind.COMPLETED, outcome.kind());
            assertEquals(epochs, outcome.epochs());
            assertEquals(epochs, epochs(reader).size(), "the reading client got every epoch");
            long readerDrops = kinds(reader).stream().filter("dropped"::equals).count();
            assertEquals(readerDrops + 1, handle(id).droppedViewers(), "the client that never reads was dropped");
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (server.eventStreams() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(0, server.eventStreams(), "its connection was closed after the write timeout");
        }
    }
}

package io.epochflux.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sweeps over real HTTP on loopback: POST /sweeps, their event streams, the detail, cancel, the rules. */
@Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SweepServerTest {

    static final String TINY = "{\"hidden\":[[2],[4]],\"lr\":[0.01,0.05],\"epochs\":8,\"pruner\":\"sh\",\"minEpochs\":2,"
            + "\"trainSize\":40,\"valSize\":20,\"concurrency\":2,\"seed\":3}";
    // long enough (tens of milliseconds an epoch) to be cancelled mid-way on a fast, idle machine
    static final String LONG = "{\"hidden\":[[256],[128]],\"epochs\":10000,\"trainSize\":700,\"valSize\":100}";

    EpochfluxServer server;

    Http start(EpochfluxServer.Builder b) {
        server = b.port(0).poolThreads(2).heartbeat(Duration.ofMillis(200)).start();
        return new Http(server.port());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutdown(Duration.ofSeconds(10));
        }
    }

    @Test
    void aSweepStreamsEveryTrialToTheEndAndItsDetailAgrees() {
        Http http = start(EpochfluxServer.builder());
        Http.Response created = http.post("/sweeps", TINY);
        assertEquals(201, created.status(), created.body());
        String id = created.json().get("id").asText();
        assertEquals("/sweeps/" + id, created.header("Location"));
        assertEquals("running", created.json().get("state").asText());

        List<Http.Event> events = http.followSweep(id, e -> { });
        Map<String, Integer> epochs = new HashMap<>();
        Map<String, JsonNode> finished = new HashMap<>();
        Set<String> started = new HashSet<>();
        for (Http.Event e : events) {
            switch (e.event()) {
                case "started" -> started.add(e.json().get("trial").asText());
                case "epoch" -> {
                    JsonNode j = e.json();
                    assertTrue(j.get("epoch").toString().contains("val_loss"), j.toString());
                    epochs.merge(j.get("trial").asText(), 1, Integer::sum);
                }
                case "finished" -> finished.put(e.json().get("trial").asText(), e.json());
                default -> { }
            }
        }
        assertEquals("end", events.get(events.size() - 1).event());
        assertEquals("finished", events.get(events.size() - 1).json().get("state").asText());
        assertEquals(4, started.size());
        assertEquals(4, finished.size());

        JsonNode detail = http.get("/sweeps/" + id).json();
        assertEquals("finished", detail.get("state").asText());
        assertEquals(4, detail.get("trials").size());
        boolean somePruned = false;
        for (JsonNode t : detail.get("trials")) {
            JsonNode f = finished.get(t.get("name").asText());
            assertNotNull(f, t.toString());
            assertEquals(f.get("epochs").asInt(), t.get("epochs").asInt(), t.toString());
            assertEquals(epochs.get(t.get("name").asText()), t.get("epochs").asInt(), t.toString());
            assertEquals(f.get("bestValLoss").asDouble(), t.get("bestValLoss").asDouble(), t.toString());
            assertEquals(f.get("prunedAtRung"), t.get("prunedAtRung"), t.toString());
            somePruned |= !t.get("prunedAtRung").isNull();
        }
        assertTrue(somePruned, "successive halving from epoch 2 prunes someone: " + detail);
        double least = Double.MAX_VALUE;
        for (JsonNode t : detail.get("trials")) {
            least = Math.min(least, t.get("bestValLoss").asDouble());
        }
        assertEquals(least, detail.get("best").get("bestValLoss").asDouble());
        JsonNode list = http.get("/sweeps").json().get("sweeps");
        assertEquals(id, list.get(0).get("id").asText());
    }

    @Test
    void aGridWhoseTrialsTimesEpochsOverflowALongIsRefusedNotBuilt() {
        // 200^4 x 5 x 2 = 1.6e10 trials (about 2^34) of 2^30 epochs: the product wrapped around a long and passed
        String many = java.util.stream.IntStream.rangeClosed(1, 200).mapToObj(Integer::toString)
                .collect(java.util.stream.Collectors.joining(","));
        String rates = java.util.stream.IntStream.rangeClosed(1, 200).mapToObj(i -> "0." + i)
                .collect(java.util.stream.Collectors.joining(","));
        String momenta = java.util.stream.IntStream.rangeClosed(1, 200).mapToObj(i -> "0.00" + i)
                .collect(java.util.stream.Collectors.joining(","));
        String hidden = java.util.stream.IntStream.rangeClosed(1, 200).mapToObj(i -> "[" + i + "]")
                .collect(java.util.stream.Collectors.joining(","));
        String body = "{\"hidden\":[" + hidden + "],\"lr\":[" + rates + "],\"momentum\":[" + momenta + "],\"batchSize\":["
                + many + "],\"activation\":[\"relu\",\"sigmoid\",\"tanh\",\"linear\",\"softmax\"],\"optimizer\":[\"sgd\",\"adam\"],"
                + "\"epochs\":1073741824}";
        Http http = start(EpochfluxServer.builder());
        Http.Response r = http.post("/sweeps", body);
        assertEquals(400, r.status(), r.body());
        assertEquals("epochs", r.json().get("field").asText(), r.body());
        assertEquals(200, http.get("/sweeps").status(), "the server is still answering");
    }

    @Test
    void aBadBodyIsRefusedNamingTheField() {
        Http http = start(EpochfluxServer.builder());
        Http.Response r = http.post("/sweeps", "{\"hidden\":[[2],[0]]}");
        assertEquals(400, r.status(), r.body());
        assertEquals("hidden", r.json().get("field").asText());
        assertEquals("0", r.json().get("value").asText());
        r = http.post("/sweeps", "{\"pruner\":\"best\"}");
        assertEquals(400, r.status(), r.body());
        assertEquals("pruner", r.json().get("field").asText());
        assertTrue(r.json().get("error").asText().startsWith("pruner must be one of none, median, sh, asha, hyperband, but was"),
                r.body());
        r = http.post("/sweeps", "{\"lr\":0.1}");
        assertEquals("lr", r.json().get("field").asText(), r.body());
        r = http.post("/sweeps", "{\"trials\":3}");
        assertEquals("trials", r.json().get("field").asText(), r.body());
        r = http.post("/sweeps", "{\"hidden\":[[2],[3],[4]],\"epochs\":40000}");
        assertEquals(400, r.status(), r.body());
        assertEquals("epochs", r.json().get("field").asText(), r.body());
        assertEquals(404, http.get("/sweeps/s99").status());
    }

    @Test
    void startingAndCancellingNeedTheTokenWhenTheServerHasOne() {
        Http http = start(EpochfluxServer.builder().token(RequestRulesTest.TOKEN));
        assertEquals(401, http.post("/sweeps", TINY).status());
        Http.Response ok = http.post("/sweeps", LONG, "Authorization", "Bearer " + RequestRulesTest.TOKEN);
        assertEquals(201, ok.status(), ok.body());
        String id = ok.json().get("id").asText();
        assertEquals(200, http.get("/sweeps/" + id).status(), "reading needs no token");
        assertEquals(401, http.delete("/sweeps/" + id).status());
        assertEquals(200, http.delete("/sweeps/" + id, "Authorization", "Bearer " + RequestRulesTest.TOKEN).status());
    }

    @Test
    void deleteCancelsTheSweepAndEndsItsStream() throws Exception {
        Http http = start(EpochfluxServer.builder());
        String id = http.post("/sweeps", LONG).json().get("id").asText();
        CountDownLatch training = new CountDownLatch(3);
        CompletableFuture<List<Http.Event>> stream = CompletableFuture.supplyAsync(() -> http.followSweep(id, e -> {
            if (e.event().equals("epoch")) {
                training.countDown();
            }
        }));
        assertTrue(training.await(2, TimeUnit.MINUTES));
        Http.Response r = http.delete("/sweeps/" + id);
        assertEquals(200, r.status(), r.body());
        assertEquals("cancelled", r.json().get("state").asText());
        List<Http.Event> events = stream.get(1, TimeUnit.MINUTES);
        assertEquals("end", events.get(events.size() - 1).event());
        assertEquals("cancelled", events.get(events.size() - 1).json().get("state").asText());
        // the trials stop: their epochs stop growing
        int at = epochCount(http, id);
        Thread.sleep(500);
        int later = epochCount(http, id);
        Thread.sleep(500);
        assertEquals(later, epochCount(http, id), "trials still train after the cancel");
        assertTrue(at <= later);
    }

    static int epochCount(Http http, String id) {
        int n = 0;
        for (JsonNode t : http.get("/sweeps/" + id).json().get("trials")) {
            n += t.get("epochs").asInt();
        }
        return n;
    }
}

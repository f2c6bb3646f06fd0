package io.epochflux.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad requests, limits, the token, Host and Origin rules, and BlockHound on the event loops. */
// a stream that never ends must fail the test, not hang the build
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RequestRulesTest {

    static final String TOKEN = "s3cret-token-for-tests";
    static final String LONG = "{\"epochs\":10000,\"trainSize\":20,\"valSize\":10,\"noEarlyStopping\":true}";

    EpochfluxServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutdown(Duration.ofSeconds(10));
        }
    }

    Http start(EpochfluxServer.Builder b) {
        server = b.port(0).poolThreads(1).start();
        return new Http(server.port());
    }

    static void refused(Http.Response r, int status, String field, String ruleFragment) {
        assertEquals(status, r.status(), r.body());
        assertEquals("application/json", r.header("Content-Type"));
        JsonNode body = r.json();
        assertTrue(body.has("error"), r.body());
        if (field != null) {
            assertEquals(field, body.get("field").asText(), r.body());
            assertTrue(body.has("value"), r.body());
            assertTrue(body.get("rule").asText().contains(ruleFragment), r.body());
            assertTrue(body.get("error").asText().startsWith(field + " must be "), r.body());
        }
    }

    @Test
    void everyBadRequestIsRefusedNamingTheFieldTheValueAndTheRule() {
        Http http = start(EpochfluxServer.builder());
        refused(http.post("/runs", "{\"epochs\": 3,"), 400, null, null);
        refused(http.post("/runs", "[1,2]"), 400, "body", "a JSON object");
        refused(http.post("/runs", ""), 400, null, null);
        refused(http.post("/runs", "{\"epoch\": 3}"), 400, "epoch", "not a run setting");
        refused(http.post("/runs", "{\"out\": \"/tmp/x\"}"), 400, "out", "reads and writes no files");
        refused(http.post("/runs", "{\"resume\": \"/tmp/x\"}"), 400, "resume", "reads and writes no files");
        refused(http.post("/runs", "{\"dataDir\": \"/etc\"}"), 400, "dataDir", "reads and writes no files");
        refused(http.post("/runs", "{\"data\": \"/etc\"}"), 400, "data", "one of bundled");
        refused(http.post("/runs", "{\"epochs\": \"ten\"}"), 400, "epochs", "an integer");
        refused(http.post("/runs", "{\"epochs\": 2.5}"), 400, "epochs", "an integer");
        refused(http.post("/runs", "{\"epochs\": 0}"), 400, "epochs", ">= 1");
        refused(http.post("/runs", "{\"batchSize\": -1}"), 400, "batchSize", ">= 1");
        refused(http.post("/runs", "{\"hidden\": 4}"), 400, "hidden", "an array");
        refused(http.post("/runs", "{\"hidden\": [4, 0]}"), 400, "hidden", ">= 1");
        refused(http.post("/runs", "{\"activation\": \"swish\"}"), 400, "activation", "relu");
        refused(http.post("/runs", "{\"optimizer\": \"rmsprop\"}"), 400, "optimizer", "sgd or adam");
        refused(http.post("/runs", "{\"lr\": 0}"), 400, "lr", "> 0");
        refused(http.post("/runs", "{\"momentum\": 1.5}"), 400, "momentum", ">= 0 and < 1");
        refused(http.post("/runs", "{\"optimizer\": \"adam\", \"momentum\": 0.9}"), 400, "momentum", "adam");
        refused(http.post("/runs", "{\"nesterov\": true}"), 400, "nesterov", "momentum");
        refused(http.post("/runs", "{\"patience\": -1}"), 400, "patience", ">= 0");
        refused(http.post("/runs", "{\"monitor\": \"val_acc\"}"), 400, "monitor", "val_accuracy");
        refused(http.post("/runs", "{\"mode\": \"up\"}"), 400, "mode", "auto, min or max");
        refused(http.post("/runs", "{\"startFromEpoch\": -2}"), 400, "startFromEpoch", ">= 0");
        refused(http.post("/runs", "{\"timeBudget\": \"soon\"}"), 400, "timeBudget", "a duration");
        // a budget past a long of nanoseconds overflowed into a 500 "long overflow"
        refused(http.post("/runs", "{\"timeBudget\": \"999999999999999h\"}"), 400, "timeBudget", "at most");
        refused(http.post("/runs", "{\"timeBudget\": \"P999999999D\"}"), 400, "timeBudget", "at most");
        refused(http.post("/runs", "{\"restoreBestWeights\": \"yes\"}"), 400, "restoreBestWeights", "true or false");
        refused(http.post("/runs", "{\"trainSize\": 6001}"), 400, "trainSize", "bundled sample's training pool");
        refused(http.post("/runs", "{\"name\": \"a b\"}"), 400, "name", "A-Z");
        refused(http.send("POST", "/runs", null), 415, null, null);
        refused(http.get("/runs/999"), 404, null, null);
        refused(http.get("/runs/999/epochs"), 404, null, null);
        refused(http.send("PUT", "/runs", "{}"), 405, null, null);
        refused(http.get("/runs/1/nothing"), 404, null, null);
        assertEquals(0, server.registry().size(), "no bad request started a run");
    }

    @Test
    void limitsAreEnforced() {
        Http http = start(EpochfluxServer.builder().requestLimits(20_000, 16, 2, 500, 200).serverLimits(1, 2, 1024));
        refused(http.post("/runs", "{\"epochs\": 20001, \"trainSize\": 20, \"valSize\": 10}"), 400, "epochs", "--max-epochs");
        refused(http.post("/runs", "{\"hidden\": [17], \"trainSize\": 20, \"valSize\": 10}"), 400, "hidden", "--max-layer-width");
        refused(http.post("/runs", "{\"hidden\": [1, 1, 1], \"trainSize\": 20, \"valSize\": 10}"), 400, "hidden", "--max-layers");
        refused(http.post("/runs", "{\"trainSize\": 501}"), 400, "trainSize", "--max-train-size");
        refused(http.post("/runs", "{\"valSize\": 201, \"trainSize\": 20}"), 400, "valSize", "--max-val-size");
        String big = "{\"name\": \"" + "x".repeat(2000) + "\"}";
        refused(http.post("/runs", big), 413, null, null);

        String id = http.start(LONG);
        Http.Response second = http.post("/runs", LONG);
        refused(second, 429, null, null);
        assertTrue(second.json().get("error").asText().contains("--max-runs"), second.body());

        CompletableFuture<?> one = CompletableFuture.runAsync(() -> http.follow(id));
        CompletableFuture<?> two = CompletableFuture.runAsync(() -> http.follow(id));
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (server.eventStreams() < 2 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        refused(http.get("/runs/" + id + "/epochs"), 429, null, null);
        http.delete("/runs/" + id);
        one.join();
        two.join();
        assertEquals(201, http.post("/runs", "{\"epochs\": 2, \"trainSize\": 20, \"valSize\": 10}").status(),
                "a slot frees when a run ends");
    }

    @Test
    void withATokenStartingAndCancellingNeedIt() {
        Http http = start(EpochfluxServer.builder().token(TOKEN));
        Http.Response none = http.post("/runs", LONG);
        refused(none, 401, null, null);
        assertTrue(none.header("WWW-Authenticate").startsWith("Bearer"));
        refused(http.post("/runs", LONG, "Authorization", "Bearer wrong-token-of-some-length"), 401, null, null);
        Http.Response ok = http.post("/runs", LONG, "Authorization", "Bearer " + TOKEN);
        assertEquals(201, ok.status(), ok.body());
        String id = ok.json().get("id").asText();
        assertEquals(200, http.get("/runs").status(), "reading needs no token");
        assertEquals(200, http.get("/runs/" + id).status());
        refused(http.delete("/runs/" + id), 401, null, null);
        assertEquals(200, http.delete("/runs/" + id, "Authorization", "Bearer " + TOKEN).status());
    }

    @Test
    void aNonLoopbackAddressWithoutATokenIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EpochfluxServer.builder().host("0.0.0.0").port(0).start());
        assertTrue(e.getMessage().contains(EpochfluxServer.TOKEN_ENV), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EpochfluxServer.builder().token("short"));
    }

    @Test
    void onLoopbackWithoutATokenForeignHostsAndOriginsAreRefused() {
        Http http = start(EpochfluxServer.builder());
        int port = server.port();
        assertEquals("HTTP/1.1 200 OK", Http.rawStatus(port, "GET /runs HTTP/1.1\r\nHost: localhost:" + port
                + "\r\nConnection: close\r\n\r\n"));
        assertEquals("HTTP/1.1 403 Forbidden", Http.rawStatus(port, "GET /runs HTTP/1.1\r\nHost: evil.example:" + port
                + "\r\nConnection: close\r\n\r\n"));
        assertEquals("HTTP/1.1 403 Forbidden", Http.rawStatus(port, "GET /runs HTTP/1.1\r\nConnection: close\r\n\r\n"));
        refused(http.post("/runs", LONG, "Origin", "http://evil.example"), 403, null, null);
        refused(http.post("/runs", LONG, "Origin", "null"), 403, null, null);
        Http.Response own = http.post("/runs", "{\"epochs\": 2, \"trainSize\": 20, \"valSize\": 10}",
                "Origin", "http://127.0.0.1:" + port);
        assertEquals(201, own.status(), own.body());
    }

    @Test
    void onLoopbackATokenDoesNotTurnTheHostAndOriginChecksOff() {
        // with EPOCHFLUX_TOKEN set, Host: evil.com without a token read /runs and the event streams
        start(EpochfluxServer.builder().token(TOKEN));
        int port = server.port();
        assertEquals("HTTP/1.1 403 Forbidden", Http.rawStatus(port, "GET /runs HTTP/1.1\r\nHost: evil.example:" + port
                + "\r\nConnection: close\r\n\r\n"));
        assertEquals("HTTP/1.1 403 Forbidden", Http.rawStatus(port, "GET /metrics HTTP/1.1\r\nHost: evil.example:" + port
                + "\r\nConnection: close\r\n\r\n"));
        assertEquals("HTTP/1.1 403 Forbidden", Http.rawStatus(port, "GET /runs HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nOrigin: http://evil.example\r\nConnection: close\r\n\r\n"));
        assertEquals("HTTP/1.1 200 OK", Http.rawStatus(port, "GET /runs HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nConnection: close\r\n\r\n"));
    }

    @Test
    void blockHoundSeesABlockingCallOnAReactorNettyEventLoop() {
        // the suite's BlockHound must watch the very threads the server's handlers run on
        AtomicReference<Throwable> caught = new AtomicReference<>();
        DisposableServer probe = HttpServer.create().host("127.0.0.1").port(0).handle((req, res) -> {
            try {
                Thread.sleep(1);
            } catch (Throwable t) {
                caught.set(t);
            }
            return res.sendString(Mono.just("ok"));
        }).bindNow();
        try {
            new Http(probe.port()).get("/");
            assertNotNull(caught.get(), "a sleep on the event loop must be reported");
            assertTrue(caught.get().getClass().getName().contains("BlockingOperationError"), caught.get().toString());
        } finally {
            probe.disposeNow();
        }
    }
}

package io.epochflux.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code serve} as its own process: Ctrl-C and SIGTERM cancel the runs, end the streams, and exit 130/143. */
// a stream that never ends must fail the test, not hang the build
@Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServeProcessTest {

    private static final Pattern SERVING = Pattern.compile("Serving at http://127\\.0\\.0\\.1:(\\d+)/");

    static Process serve(String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-Xmx1g",
                "-cp", System.getProperty("java.class.path"), "io.epochflux.cli.Main", "serve"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().remove(EpochfluxServer.TOKEN_ENV);
        pb.environment().put("OMP_NUM_THREADS", "1");
        return pb.start();
    }

    private static void stopsOnSignal(String signal, int expectedCode) throws Exception {
        Process p = serve("--port", "0", "--pool-threads", "1");
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            int port = -1;
            List<String> seen = new ArrayList<>();
            while (port < 0 && (line = out.readLine()) != null) {
                seen.add(line);
                Matcher m = SERVING.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            assertTrue(port > 0, "serve printed its address: " + seen);
            Http http = new Http(port);
            String id = http.start("{\"epochs\":10000,\"trainSize\":20,\"valSize\":10,\"noEarlyStopping\":true}");
            CompletableFuture<Void> signalled = new CompletableFuture<>();
            List<Http.Event> events = http.follow(id, e -> {
                if ("2".equals(e.id()) && !signalled.isDone()) {
                    try {
                        new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start().waitFor();
                        signalled.complete(null);
                    } catch (IOException | InterruptedException x) {
                        signalled.completeExceptionally(x);
                    }
                }
            });
            assertTrue(signalled.isDone());
            List<String> kinds = events.stream().map(Http.Event::event).filter(k -> !k.equals("epoch")).toList();
            assertEquals(List.of("stop", "end"), kinds, "the stream got its final events");
            assertEquals("cancelled", events.get(events.size() - 2).json().get("outcome").asText());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "serve exited");
            assertEquals(expectedCode, p.exitValue());
            String rest = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(rest.contains("Stopped: cancelled 1 run"), rest);
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void ctrlCCancelsRunsEndsStreamsAndExits130() throws Exception {
        stopsOnSignal("INT", 130);
    }

    @Test
    void sigtermDoesTheSameAndExits143() throws Exception {
        stopsOnSignal("TERM", 143);
    }

    @Test
    void aNonLoopbackAddressWithoutATokenRefusesToStart() throws Exception {
        Process p = serve("--host", "0.0.0.0", "--port", "0");
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(2, p.exitValue(), out);
            assertTrue(out.contains(EpochfluxServer.TOKEN_ENV), out);
        } finally {
            p.destroyForcibly();
        }
    }
}

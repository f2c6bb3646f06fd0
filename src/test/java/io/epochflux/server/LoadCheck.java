package io.epochflux.server;

import io.epochflux.runs.RunHandle;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded load check on loopback (not a test: it prints figures). Run with
 * {@code mvn -o -q test-compile exec:java -Dexec.mainClass=io.epochflux.server.LoadCheck -Dexec.classpathScope=test}
 * or java -cp target/test-classes:target/classes:$(deps) io.epochflux.server.LoadCheck [runs] [clientsPerRun].
 *
 * <p>Phase 1: one run alone, without viewers and with 50 reading viewers: the slowdown viewers
 * cause. Phase 2: many concurrent runs, each with many reading SSE clients, while GET /runs and
 * GET /metrics are timed.
 */
public final class LoadCheck {

    private LoadCheck() {
    }

    static final String RUN = "{\"epochs\":%d,\"trainSize\":200,\"valSize\":100,\"noEarlyStopping\":true,\"seed\":%d}";

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        EpochfluxServer server = EpochfluxServer.builder().port(0).poolThreads(2)
                .serverLimits(runs, runs * clients + 60, 16 * 1024).start();
        ExecutorService readers = Executors.newFixedThreadPool(runs * clients + 60);
        HttpClient client = HttpClient.newHttpClient();
        Http http = new Http(server.port());
        try {
            System.out.printf("machine: %d processors, Java %s; server pool 2 threads%n",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
            solo(server, http, client, readers, 0); // warm-up: data loading and JIT
            double[] alone = solo(server, http, client, readers, 0);
            double[] watched = solo(server, http, client, readers, 50);
            double[] again = solo(server, http, client, readers, 0);
            System.out.printf("phase 1: one run of 400 epochs, wall-clock epochs/s (training-time epochs/s):%n"
                    + "  alone %.0f (%.0f), with 50 reading SSE viewers %.0f (%.0f), alone again %.0f (%.0f)%n",
                    alone[0], alone[1], watched[0], watched[1], again[0], again[1]);

            List<String> ids = new ArrayList<>();
            int epochs = 1500;
            long t0 = System.nanoTime();
            for (int i = 0; i < runs; i++) {
                ids.add(http.start(String.format(RUN, epochs, i)));
            }
            List<Future<Integer>> streams = new ArrayList<>();
            for (String id : ids) {
                for (int c = 0; c < clients; c++) {
                    streams.add(readers.submit(() -> read(client, server.port(), id)));
                }
            }
            List<Long> list = new ArrayList<>();
            List<Long> scrape = new ArrayList<>();
            while (server.registry().active() > 0) {
                list.add(timed(() -> http.get("/runs")));
                scrape.add(timed(() -> http.get("/metrics")));
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            int complete = 0;
            for (Future<Integer> f : streams) {
                complete += f.get() == epochs ? 1 : 0;
            }
            long dropped = server.registry().list().values().stream().mapToLong(RunHandle::droppedViewers).sum();
            System.out.printf("phase 2: %d concurrent runs x %d epochs with %d SSE clients (%d per run): %.1f s, "
                    + "%.0f epochs/s in all; %d of %d clients got every epoch, %d drops%n",
                    runs, epochs, streams.size(), clients, seconds, runs * epochs / seconds, complete, streams.size(), dropped);
            System.out.println("  GET /runs    latency under that load: " + stats(list));
            System.out.println("  GET /metrics latency under that load: " + stats(scrape));
        } finally {
            server.shutdown(Duration.ofSeconds(10));
            readers.shutdownNow();
        }
    }

    private static double[] solo(EpochfluxServer server, Http http, HttpClient client, ExecutorService readers, int viewers)
            throws Exception {
        String id = http.start(String.format(RUN, 400, 1));
        List<Future<Integer>> f = new ArrayList<>();
        for (int i = 0; i < viewers; i++) {
            f.add(readers.submit(() -> read(client, server.port(), id)));
        }
        RunHandle h = server.registry().get(id).orElseThrow();
        h.outcome().block(Duration.ofMinutes(5));
        // from the run's start to its end: what the viewers cost the training, not how long they take to read
        double wall = Duration.between(h.started(), java.time.Instant.now()).toNanos() / 1e9;
        int complete = 0;
        for (Future<Integer> x : f) {
            complete += x.get() == h.epochs() ? 1 : 0;
        }
        if (complete != viewers) {
            System.out.printf("  (%d of %d viewers got every epoch)%n", complete, viewers);
        }
        return new double[] {h.epochs() / wall, h.epochs() / (h.history().trainingTime().toNanos() / 1e9)};
    }

    private static int read(HttpClient client, int port, String id) throws Exception {
        HttpResponse<java.io.InputStream> r = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/runs/" + id + "/epochs")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        int n = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("event: epoch")) {
                    n++;
                }
            }
        }
        return n;
    }

    private static long timed(Runnable call) {
        long t = System.nanoTime();
        call.run();
        return System.nanoTime() - t;
    }

    private static String stats(List<Long> nanos) {
        List<Long> s = new ArrayList<>(nanos);
        Collections.sort(s);
        AtomicLong sum = new AtomicLong();
        s.forEach(sum::addAndGet);
        return String.format("n=%d p50 %.1f ms, p95 %.1f ms, max %.1f ms", s.size(), s.get(s.size() / 2) / 1e6,
                s.get((int) (s.size() * 0.95)) / 1e6, s.get(s.size() - 1) / 1e6);
    }
}

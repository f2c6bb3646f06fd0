package io.epochflux.deploy;

import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/** Real programs for the integration tests: the packaged jar, Prometheus, promtool, docker-compose. */
final class Processes {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Processes() {
    }

    /** The packaged jar; the integration tests run after {@code package}. */
    static Path jar() {
        Path jar = Path.of(System.getProperty("epochflux.jar", "target/epochflux.jar"));
        if (!Files.isRegularFile(jar)) {
            fail("the integration tests need the packaged jar at " + jar + ": run them with mvn verify");
        }
        return jar;
    }

    /**
     * Finds a program on the PATH. When it is missing the test is skipped, unless the environment
     * says servers are required (as CI does, having installed them), when it fails.
     */
    static String require(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        String message = program + " is not installed (Debian: apt-get install " + ("promtool".equals(program)
                ? "prometheus" : program) + ")";
        if ("1".equals(System.getenv("EPOCHFLUX_REQUIRE_SERVERS"))) {
            fail(message + ", and EPOCHFLUX_REQUIRE_SERVERS=1 says it must be");
        }
        Assumptions.abort(message);
        return null;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts the jar with the given arguments, output to a log file. */
    static Process epochflux(Path log, boolean vectorModule, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (vectorModule) {
            command.add("--add-modules");
            command.add("jdk.incubator.vector");
        }
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Runs a program to completion and returns its exit code and output. */
    static Result run(Path workDir, List<String> command, java.util.Map<String, String> env) throws IOException,
            InterruptedException {
        ProcessBuilder b = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        b.environment().putAll(env);
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(command + " did not finish");
        }
        return new Result(p.exitValue(), out);
    }

    record Result(int exitCode, String output) {
    }

    static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Polls until the condition holds or the timeout passes; fails with the last value seen. */
    static <T> T await(String what, Duration timeout, Check<T> supplier, Predicate<T> done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        Exception error = null;
        while (System.nanoTime() < deadline) {
            try {
                last = supplier.get();
                if (done.test(last)) {
                    return last;
                }
            } catch (Exception e) {
                error = e;
            }
            Thread.sleep(200);
        }
        fail("timed out waiting for " + what + "; last value " + last + (error == null ? "" : ", last error " + error));
        return null;
    }

    @FunctionalInterface
    interface Check<T> {
        T get() throws Exception;
    }

    static void stop(Process p) throws InterruptedException {
        if (p != null && p.isAlive()) {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
    }
}

package io.epochflux.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A Spring Boot WebFlux application with the Actuator, built by a child Maven against the installed
 * artifact (as {@link ConsumerIT} builds its dependent) under Boot's own BOM, its controller the
 * README's, BlockHound installed: runs started, read over SSE to the end, resumed with
 * {@code Last-Event-ID}, cancelled by DELETE, left by a client that goes away, their true state in
 * {@code /actuator/prometheus}, and SIGTERM with a viewer connected. Once under Boot 3.5 and once
 * under Boot 4.0. No timing is asserted; every wait has a deadline.
 */
class SpringBootIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    /** One Server-Sent Event as a client parses it. */
    record Event(String id, String event, String data) {
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"epochflux.it.boot3.version", "epochflux.it.boot4.version"})
    @Timeout(value = 8, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aBootApplicationStartsWatchesCancelsAndShutsDownItsRuns(String bootProperty) throws Exception {
        String boot = ChildMaven.property(bootProperty);
        Path root = dir.resolve("boot-" + boot);
        List<Path> classpath = build(root, boot);
        long bytes = 0;
        for (Path jar : classpath) {
            bytes += Files.size(jar);
        }
        System.out.printf("Boot %s application's classpath: %d jars, %.1f MB%n", boot, classpath.size(), bytes / 1e6);

        int port = Processes.freePort();
        Path log = root.resolve("app.log");
        Process app = start(root, classpath, port, log);
        try {
            String base = "http://127.0.0.1:" + port;
            Processes.await("the application's health", WAIT, () -> {
                if (!app.isAlive()) {
                    throw new AssertionError("the application exited with " + app.exitValue() + ":\n" + lastLines(log, 60));
                }
                return status(get(base + "/actuator/health"));
            }, s -> s == 200);
            String started = Files.readString(log);
            assertTrue(started.contains("BlockHound is installed and detects blocking calls"), started);
            Matcher time = Pattern.compile("Started App in ([0-9.]+) seconds").matcher(started);
            if (time.find()) {
                System.out.println("Boot " + boot + " application started in " + time.group(1) + " s");
            }

            // a run read to its end, every epoch with its number as id, then stop and end
            String done = start(base, 12, 1000);
            List<Event> all = events(base, done, null, e -> false);
            List<String> ids = all.stream().filter(e -> e.event().equals("epoch")).map(Event::id).toList();
            assertEquals(List.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"), ids);
            assertEquals(List.of("stop", "end"), all.subList(all.size() - 2, all.size()).stream().map(Event::event).toList());
            assertEquals("completed", JSON.readTree(all.get(all.size() - 2).data()).path("outcome").textValue());
            JsonNode epoch = JSON.readTree(all.get(0).data());
            assertEquals(1, epoch.path("epoch").intValue());
            assertTrue(epoch.path("values").path("val_loss").isNumber(), epoch.toString());

            // resumed after epoch 9, as a browser reconnects
            List<Event> resumed = events(base, done, "9", e -> false);
            assertEquals(List.of("10", "11", "12"), resumed.stream().filter(e -> e.id() != null).map(Event::id).toList());
            assertEquals(400, status(get(base + "/runs/" + done + "/epochs", "Last-Event-ID", "x")));
            assertEquals(404, status(get(base + "/runs/99")));

            // a run whose viewer goes away goes on; DELETE cancels it and answers once it has stopped
            String left = start(base, 1_000_000, 1_000_000);
            events(base, left, null, e -> "2".equals(e.id()));
            JsonNode still = JSON.readTree(get(base + "/runs/" + left).body());
            assertTrue(List.of("queued", "training", "waiting").contains(still.path("state").textValue()), still.toString());
            HttpResponse<String> deleted = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/runs/" + left)).DELETE()
                    .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, deleted.statusCode(), deleted.body());
            JsonNode cancelled = JSON.readTree(deleted.body());
            assertEquals("cancelled", cancelled.path("state").textValue());
            assertEquals("CANCELLED", cancelled.path("outcome").path("kind").textValue());
            List<Event> after = events(base, left, null, e -> false);
            assertEquals("cancelled", JSON.readTree(after.get(after.size() - 2).data()).path("outcome").textValue());

            // the true states, with Boot's common tag, in the Actuator's scrape
            String scrape = get(base + "/actuator/prometheus").body();
            assertTrue(sample(scrape, "epochflux_run_state", "run-" + done, "state=\"completed\"").endsWith(" 1.0"), scrape);
            assertTrue(sample(scrape, "epochflux_run_state", "run-" + left, "state=\"cancelled\"").endsWith(" 1.0"), scrape);
            String info = sample(scrape, "epochflux_run_info", "run-" + done, "model=");
            assertTrue(info.contains("model=\"784-2(relu)-10(softmax)\"") && info.contains("epochs=\"12\"")
                    && info.contains("stop_rule=\"EarlyStopping(") && info.contains("application=\"epochflux-it\""), info);
            assertFalse(scrape.contains("epochflux_learning_rate"), "no learning-rate operator, no learning-rate gauge");
            promtoolAccepts(root, scrape);
            JsonNode listed = JSON.readTree(get(base + "/actuator/epochflux").body()).path("runs");
            assertEquals(List.of(done, left), List.of(listed.path(0).path("id").textValue(), listed.path(1).path("id").textValue()),
                    listed.toString());
            assertEquals("cancelled", listed.path(1).path("state").textValue());
            assertEquals(12, JSON.readTree(get(base + "/actuator/epochflux/" + done).body()).path("epochs").intValue());

            // SIGTERM while a viewer watches a run: the viewer gets the end, Boot's graceful shutdown no timeout
            String last = start(base, 1_000_000, 1_000_000);
            CountDownLatch watching = new CountDownLatch(1);
            CompletableFuture<List<Event>> viewer = CompletableFuture.supplyAsync(() -> {
                try {
                    return events(base, last, null, e -> {
                        watching.countDown();
                        return false;
                    });
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(watching.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the viewer got its first event");
            app.destroy();
            List<Event> seen = viewer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals("end", seen.get(seen.size() - 1).event(), "the viewer got the end: " + tail(seen));
            assertEquals("cancelled", JSON.readTree(seen.get(seen.size() - 2).data()).path("outcome").textValue());
            assertTrue(app.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the application exits");
            String out = Files.readString(log);
            assertFalse(out.contains("Graceful shutdown aborted"), out);
            assertFalse(out.contains("after timeout"), "a lifecycle phase timed out:\n" + out);
            assertFalse(out.contains("BlockingOperationError"), out);
            assertTrue(out.contains("Graceful shutdown complete"), out);
        } finally {
            Processes.stop(app);
            System.out.println("--- Boot " + boot + " application's log, its last lines:\n" + lastLines(log, 40));
        }
    }

    private static String tail(List<Event> events) {
        return events.subList(Math.max(0, events.size() - 3), events.size()).toString();
    }

    private static String lastLines(Path log, int n) throws IOException {
        if (!Files.exists(log)) {
            return "(none)";
        }
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    /** The one sample of a metric for a run, with a further part of its labels. */
    private static String sample(String scrape, String name, String run, String part) {
        List<String> found = scrape.lines().filter(l -> l.startsWith(name + "{") && l.contains("run=\"" + run + "\"")
                && l.contains(part)).toList();
        assertEquals(1, found.size(), name + " of " + run + " with " + part + ":\n" + scrape);
        return found.get(0);
    }

    private static void promtoolAccepts(Path root, String scrape) throws Exception {
        String promtool = Processes.require("promtool");
        // the library's series, with their HELP and TYPE lines
        String ours = scrape.lines().filter(l -> l.startsWith("epochflux_") || l.startsWith("# HELP epochflux_")
                || l.startsWith("# TYPE epochflux_")).collect(Collectors.joining("\n", "", "\n"));
        Path file = root.resolve("scrape.txt");
        Files.writeString(file, ours);
        Processes.Result check = Processes.run(root, List.of("sh", "-c", promtool + " check metrics < " + file), Map.of());
        assertEquals(0, check.exitCode(), check.output());
        assertEquals("", check.output().strip(), "promtool finds nothing to say about the epochflux_* series");
    }

    private static String start(String base, int epochs, int patience) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/runs?epochs=" + epochs + "&patience="
                + patience)).POST(HttpRequest.BodyPublishers.noBody()).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body()).path("id").textValue();
    }

    /**
     * Reads a run's event stream until it ends, or until {@code leave} says to go (the client then
     * closes the connection); within {@link #WAIT} either way.
     */
    private static List<Event> events(String base, String id, String lastEventId, Predicate<Event> leave) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/runs/" + id + "/epochs"))
                .header("Accept", "text/event-stream").timeout(WAIT);
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"), r.headers().toString());
        CompletableFuture<List<Event>> read = CompletableFuture.supplyAsync(() -> {
            List<Event> events = new ArrayList<>();
            try (InputStream in = r.body();
                 BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String eventId = null;
                String name = null;
                StringBuilder data = null;
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.isEmpty()) {
                        if (name != null) {
                            Event e = new Event(eventId, name, data == null ? "" : data.toString());
                            events.add(e);
                            if (e.event().equals("end") || e.event().equals("dropped") || leave.test(e)) {
                                return events; // closing the stream closes the connection: the client goes away
                            }
                        }
                        eventId = null;
                        name = null;
                        data = null;
                    } else if (line.startsWith("id:")) {
                        eventId = line.substring(3).strip();
                    } else if (line.startsWith("event:")) {
                        name = line.substring(6).strip();
                    } else if (line.startsWith("data:")) {
                        data = (data == null ? new StringBuilder() : data.append('\n')).append(line.substring(5).strip());
                    }
                }
                return events;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        return read.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int status(HttpResponse<String> r) {
        return r.statusCode();
    }

    private static Process start(Path root, List<Path> classpath, int port, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // BlockHound instruments JDK classes: Java 13 and later need the flag
                "-XX:+AllowRedefinitionToAddDeleteMethods", "--add-modules", "jdk.incubator.vector", "-Xmx768m",
                "-cp", root.resolve("target/classes") + File.pathSeparator
                        + classpath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
                "example.App", "--server.port=" + port, "--server.address=127.0.0.1"));
        ProcessBuilder b = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        b.environment().put("OMP_NUM_THREADS", "1");
        return b.start();
    }

    // ---------------------------------------------------------------- the application

    private List<Path> build(Path root, String boot) throws Exception {
        Path sources = root.resolve("src/main/java/example");
        Files.createDirectories(sources);
        Files.createDirectories(root.resolve("src/main/resources"));
        Files.writeString(root.resolve("pom.xml"), pom(boot));
        Files.writeString(sources.resolve("App.java"), app());
        Files.writeString(sources.resolve("RunsController.java"), "package example;\n\n" + controller());
        Files.writeString(root.resolve("src/main/resources/application.properties"), String.join("\n",
                "management.endpoints.web.exposure.include=health,prometheus,epochflux",
                "management.metrics.tags.application=epochflux-it",
                "epochflux.pool-size=2",
                "epochflux.heartbeat=1s",
                ""));
        Path settings = root.resolve("settings.xml");
        Files.writeString(settings, ChildMaven.settings());
        String plugin = "org.apache.maven.plugins:maven-dependency-plugin:" + ChildMaven.property("epochflux.maven-dependency-plugin.version");
        Path classpathFile = root.resolve("classpath.txt");
        List<String> mvn = List.of(Path.of(ChildMaven.property("epochflux.maven.home"), "bin", "mvn").toString(), "-B", "-q",
                "-s", settings.toString(), "-Dmaven.repo.local=" + ChildMaven.property("epochflux.it.repository"),
                "compile", plugin + ":build-classpath", "-Dmdep.outputFile=" + classpathFile);
        ProcessBuilder b = new ProcessBuilder(mvn).directory(root.toFile()).redirectErrorStream(true);
        b.environment().putAll(Map.of("JAVA_HOME", System.getProperty("java.home"), "MAVEN_OPTS", "-Xmx512m"));
        Path buildLog = root.resolve("build.log");
        b.redirectOutput(buildLog.toFile());
        Process p = b.start();
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("the Boot " + boot + " application did not build in 240 s:\n" + Files.readString(buildLog));
        }
        assertEquals(0, p.exitValue(), "the Boot " + boot + " application builds:\n" + Files.readString(buildLog));
        List<Path> entries = new ArrayList<>();
        for (String entry : Files.readString(classpathFile).trim().split(Pattern.quote(File.pathSeparator))) {
            entries.add(Path.of(entry));
        }
        assertTrue(entries.stream().anyMatch(e -> e.getFileName().toString().equals("spring-boot-" + boot + ".jar")),
                "built with Boot " + boot + ": " + entries);
        return entries;
    }

    /** The README's controller, as it stands. */
    private static String controller() throws IOException {
        String readme = Files.readString(Path.of(ChildMaven.property("epochflux.basedir"), "README.md"));
        Matcher block = Pattern.compile("```java\n(import .*?)```", Pattern.DOTALL).matcher(readme);
        while (block.find()) {
            if (block.group(1).contains("@RestController")) {
                return block.group(1);
            }
        }
        throw new AssertionError("the README has no Spring Boot controller");
    }

    /** The application: BlockHound installed, and shown to detect a blocking call, before Boot starts. */
    private static String app() {
        return """
                package example;

                import org.springframework.boot.SpringApplication;
                import org.springframework.boot.autoconfigure.SpringBootApplication;
                import reactor.blockhound.BlockHound;
                import reactor.core.publisher.Mono;
                import reactor.core.scheduler.Schedulers;

                @SpringBootApplication
                public class App {
                    public static void main(String[] args) {
                        // the static install(): it loads the Reactor and Netty integrations
                        BlockHound.install();
                        try {
                            Mono.fromCallable(() -> {
                                Thread.sleep(1);
                                return 1;
                            }).subscribeOn(Schedulers.parallel()).block();
                            System.out.println("BlockHound does not detect a sleep on a parallel thread");
                        } catch (RuntimeException e) {
                            if (String.valueOf(e.getMessage()).contains("Blocking call")) {
                                System.out.println("BlockHound is installed and detects blocking calls");
                            } else {
                                throw e;
                            }
                        }
                        SpringApplication.run(App.class, args);
                    }
                }
                """;
    }

    private static String pom(String boot) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>example</groupId>
                  <artifactId>boot-app</artifactId>
                  <version>1</version>
                  <properties>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                    <maven.compiler.release>17</maven.compiler.release>
                  </properties>
                  <dependencyManagement>
                    <dependencies>
                      <dependency>
                        <groupId>org.springframework.boot</groupId>
                        <artifactId>spring-boot-dependencies</artifactId>
                        <version>%s</version>
                        <type>pom</type>
                        <scope>import</scope>
                      </dependency>
                    </dependencies>
                  </dependencyManagement>
                  <dependencies>
                    <dependency>
                      <groupId>io.epochflux</groupId>
                      <artifactId>epochflux</artifactId>
                      <version>0.1.0-SNAPSHOT</version>
                    </dependency>
                    <dependency>
                      <groupId>org.springframework.boot</groupId>
                      <artifactId>spring-boot-starter-webflux</artifactId>
                    </dependency>
                    <dependency>
                      <groupId>org.springframework.boot</groupId>
                      <artifactId>spring-boot-starter-actuator</artifactId>
                    </dependency>
                    <dependency>
                      <groupId>io.micrometer</groupId>
                      <artifactId>micrometer-registry-prometheus</artifactId>
                    </dependency>
                    <dependency>
                      <groupId>io.projectreactor.tools</groupId>
                      <artifactId>blockhound</artifactId>
                      <version>%s</version>
                    </dependency>
                  </dependencies>
                  <build>
                    <plugins>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-resources-plugin</artifactId>
                        <version>%s</version>
                      </plugin>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-compiler-plugin</artifactId>
                        <version>%s</version>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(boot, ChildMaven.property("epochflux.blockhound.version"),
                ChildMaven.property("epochflux.maven-resources-plugin.version"), ChildMaven.property("epochflux.maven-compiler-plugin.version"));
    }
}

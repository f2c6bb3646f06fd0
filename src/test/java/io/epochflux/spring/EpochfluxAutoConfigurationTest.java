package io.epochflux.spring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.epochflux.TestData;
import io.epochflux.data.Split;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Optimizer;
import io.epochflux.nn.Sequential;
import io.epochflux.runs.RunRegistry;
import io.epochflux.runs.RunStatus;
import io.epochflux.runs.ServerSentEvents;
import io.epochflux.stop.EarlyStopping;
import io.epochflux.train.TrainingRun;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.http.HttpStatus;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The auto-configuration in a plain Spring context: its beans, its properties, backing off, shutdown. */
class EpochfluxAutoConfigurationTest {

    private static final Split SPLIT = TestData.seedSplit();
    private static final Duration TIMEOUT = Duration.ofMinutes(1);

    private static AnnotationConfigApplicationContext context(Map<String, Object> properties, Class<?>... user) {
        AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("test", properties));
        for (Class<?> c : user) {
            context.register(c);
        }
        // after the application's own configuration, as Boot orders auto-configurations
        context.register(EpochfluxAutoConfiguration.class);
        context.refresh();
        return context;
    }

    private static TrainingRun run(EpochfluxRuns runs, int epochs) {
        Sequential model = Sequential.builder(784).dense(2, Activation.RELU).dense(10, Activation.SOFTMAX).seed(1).build();
        return runs.trainer().epochs(epochs).batchSize(10).optimizer(Optimizer.sgd(0.01)).seed(10).build()
                .run(model, SPLIT.train().slice(0, 50), SPLIT.validation().slice(0, 20));
    }

    @Configuration(proxyBeanMethods = false)
    static class Meters {
        @Bean
        PrometheusMeterRegistry prometheus() {
            return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        }
    }

    @Test
    void isRegisteredForBootToFind() throws Exception {
        try (InputStream in = getClass().getResourceAsStream(
                "/META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports")) {
            assertEquals(List.of(EpochfluxAutoConfiguration.class.getName()),
                    new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip).toList());
        }
    }

    @Test
    void bindsItsPropertiesIntoItsBeans() {
        try (AnnotationConfigApplicationContext context = context(Map.of("epochflux.run-retention", "5m",
                "epochflux.heartbeat", "2s", "epochflux.viewer-buffer", "9", "epochflux.pool-size", "1",
                "epochflux.metrics.tags.team", "vision"))) {
            EpochfluxProperties p = context.getBean(EpochfluxProperties.class);
            assertEquals(Duration.ofMinutes(5), context.getBean(RunRegistry.class).retention());
            assertEquals(Duration.ofSeconds(2), context.getBean(ServerSentEvents.class).heartbeat());
            assertEquals(9, p.getViewerBuffer());
            assertEquals(Map.of("team", "vision"), p.getMetrics().getTags());
            EpochfluxRuns runs = context.getBean(EpochfluxRuns.class);
            String id = runs.start(run(runs, 2));
            assertEquals(9, runs.registry().get(id).orElseThrow().viewerBuffer());
            Scheduler pool = context.getBean(EpochfluxAutoConfiguration.POOL, Scheduler.class);
            assertSame(pool, context.getBean(EpochfluxAutoConfiguration.POOL));
        }
    }

    @Test
    void aBadPropertyFailsTheStartNamingItAndTheRule() {
        BeanCreationException e = assertThrows(BeanCreationException.class,
                () -> context(Map.of("epochflux.viewer-buffer", "0")).close());
        assertTrue(messages(e).contains("epochflux.viewer-buffer must be >= 1, but was 0"), messages(e));
        BeanCreationException tag = assertThrows(BeanCreationException.class,
                () -> context(Map.of("epochflux.metrics.tags.run", "x")).close());
        assertTrue(messages(tag).contains("tag key must not be one of the library's own keys"), messages(tag));
    }

    private static String messages(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getMessage()).append('\n');
        }
        return sb.toString();
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnBeans {
        static final RunRegistry REGISTRY = RunRegistry.create(Duration.ofSeconds(7), Schedulers.parallel());

        @Bean
        RunRegistry myRegistry() {
            return REGISTRY;
        }

        @Bean(name = EpochfluxAutoConfiguration.POOL, destroyMethod = "dispose")
        Scheduler myPool() {
            return Schedulers.newParallel("my-pool", 1, true);
        }
    }

    @Test
    void eachBeanBacksOffWhenTheApplicationDefinesItsOwn() {
        try (AnnotationConfigApplicationContext context = context(Map.of(), OwnBeans.class)) {
            assertEquals(1, context.getBeanNamesForType(RunRegistry.class).length);
            assertSame(OwnBeans.REGISTRY, context.getBean(EpochfluxRuns.class).registry());
            Scheduler pool = context.getBean(EpochfluxAutoConfiguration.POOL, Scheduler.class);
            assertTrue(pool.toString().contains("my-pool"), pool.toString());
        }
    }

    @Test
    void runsPublishTheirTrueStateToTheApplicationsRegistryWithItsTags() {
        try (AnnotationConfigApplicationContext context = context(Map.of("epochflux.metrics.tags.team", "vision"),
                Meters.class)) {
            EpochfluxRuns runs = context.getBean(EpochfluxRuns.class);
            String id = runs.start(run(runs, 100_000), epochs -> epochs.transform(EarlyStopping.builder().patience(9000).build()));
            runs.events(id, null).filter(e -> "epoch".equals(e.event())).take(2).blockLast(TIMEOUT);
            RunStatus cancelled = runs.cancel(id).block(TIMEOUT);
            assertEquals("cancelled", cancelled.state());
            List<ServerSentEvent<String>> events = runs.events(id, null).collectList().block(TIMEOUT);
            assertEquals("end", events.get(events.size() - 1).event());
            String scrape = context.getBean(PrometheusMeterRegistry.class).scrape();
            assertTrue(scrape.contains("epochflux_run_state{run=\"run-" + id + "\",state=\"cancelled\",sweep=\"\",team=\"vision\"} 1.0"),
                    scrape);
            assertTrue(scrape.contains("stop_rule=\"EarlyStopping("), scrape);
        }
    }

    @Test
    void eventsAreServeFormAsServerSentEventsAndUnknownRunsAndBadIdsAreHttpErrors() throws Exception {
        try (AnnotationConfigApplicationContext context = context(Map.of())) {
            EpochfluxRuns runs = context.getBean(EpochfluxRuns.class);
            String id = runs.start(run(runs, 3));
            List<ServerSentEvent<String>> events = runs.events(id, "1").collectList().block(TIMEOUT);
            assertEquals(Duration.ofSeconds(3), events.get(0).retry());
            assertEquals(List.of("2", "3"), events.stream().filter(e -> e.id() != null).map(ServerSentEvent::id).toList());
            assertEquals(List.of("epoch", "epoch", "stop", "end"), events.stream().skip(1).map(ServerSentEvent::event).toList());
            JsonNode epoch = new ObjectMapper().readTree(events.get(1).data());
            assertEquals(2, epoch.path("epoch").intValue());
            assertEquals(HttpStatus.NOT_FOUND, assertThrows(ResponseStatusException.class, () -> runs.events("99", null))
                    .getStatusCode());
            ResponseStatusException bad = assertThrows(ResponseStatusException.class, () -> runs.events(id, "x"));
            assertEquals(HttpStatus.BAD_REQUEST, bad.getStatusCode());
            assertEquals("Last-Event-ID must be an epoch number >= 0, but was x", bad.getReason());
            assertEquals(HttpStatus.NOT_FOUND, assertThrows(ResponseStatusException.class, () -> runs.status("99")).getStatusCode());
            assertEquals(List.of(id), runs.list().stream().map(RunStatus::id).toList());
            EpochfluxEndpoint endpoint = context.getBean(EpochfluxEndpoint.class);
            assertEquals(runs.list(), endpoint.runs().get("runs"));
            assertEquals(id, endpoint.run(id).id());
            assertNull(endpoint.run("99"), "no such run: the Actuator answers 404");
            assertTrue(EpochfluxEndpoint.class.getMethod("run", String.class).getParameters()[0].isNamePresent(),
                    "the Actuator reads a selector's name from the class file: compiled with -parameters");
        }
    }

    @Test
    void closingTheContextEndsEveryRunAndSendsItsViewersTheEnd() throws Exception {
        AnnotationConfigApplicationContext context = context(Map.of());
        EpochfluxRuns runs = context.getBean(EpochfluxRuns.class);
        String id = runs.start(run(runs, 1_000_000));
        CompletableFuture<List<ServerSentEvent<String>>> viewer = runs.events(id, null).collectList().toFuture();
        runs.events(id, null).filter(e -> "epoch".equals(e.event())).next().block(TIMEOUT);
        assertTrue(context.getBean(EpochfluxLifecycle.class).isRunning());
        context.close();
        List<ServerSentEvent<String>> seen = viewer.get(1, TimeUnit.MINUTES);
        List<String> names = new ArrayList<>();
        seen.forEach(e -> names.add(e.event()));
        assertEquals(List.of("stop", "end"), names.subList(names.size() - 2, names.size()));
        assertTrue(seen.get(seen.size() - 2).data().contains("\"outcome\":\"cancelled\""), seen.get(seen.size() - 2).data());
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> runs.start(run(runs, 1)));
        assertEquals("runs cannot start once the application is shutting down", refused.getMessage());
        assertTrue(EpochfluxLifecycle.PHASE > Integer.MAX_VALUE - 1024, "stops before Boot's graceful web server shutdown");
    }

    @Test
    void theMetadataDescribesEveryPropertyThatBinds() throws Exception {
        JsonNode metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            metadata = new ObjectMapper().readTree(in);
        }
        TreeSet<String> described = new TreeSet<>();
        for (JsonNode p : metadata.path("properties")) {
            described.add(p.path("name").textValue());
            assertFalse(p.path("description").asText().isBlank(), p.toString());
        }
        TreeSet<String> bound = new TreeSet<>();
        bound.addAll(properties("epochflux", EpochfluxProperties.class));
        bound.addAll(properties("epochflux.metrics", EpochfluxProperties.Metrics.class));
        bound.add("epochflux.metrics.tags");
        assertEquals(bound, described);
    }

    /** The properties a class binds through its setters, as Boot names them (kebab case). */
    private static List<String> properties(String prefix, Class<?> type) {
        List<String> names = new ArrayList<>();
        for (Method m : type.getDeclaredMethods()) {
            if (m.getName().startsWith("set") && m.getParameterCount() == 1) {
                names.add(prefix + "." + m.getName().substring(3).replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }
}

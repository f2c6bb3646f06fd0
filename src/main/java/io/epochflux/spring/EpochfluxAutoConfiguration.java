package io.epochflux.spring;

import io.epochflux.runs.RunRegistry;
import io.epochflux.runs.ServerSentEvents;
import io.epochflux.train.TrainingPool;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.codec.ServerSentEvent;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import java.util.Optional;

/**
 * Spring Boot's auto-configuration of epochflux: active when Spring Boot and Spring Web are on the
 * classpath (registered in {@code META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports}),
 * each bean backing off when the application defines its own of that type (the pool: of that name).
 *
 * <ul>
 *   <li>{@code epochfluxTrainingPool}: a {@link Scheduler} of {@code epochflux.pool-size} threads,
 *       disposed when the context closes;</li>
 *   <li>a {@link RunRegistry} keeping finished runs {@code epochflux.run-retention};</li>
 *   <li>{@link ServerSentEvents} with a heartbeat every {@code epochflux.heartbeat};</li>
 *   <li>{@link EpochfluxRuns}: start, watch as {@code ServerSentEvent}s, status, cancel, every run
 *       publishing its meters to the application's {@link MeterRegistry} when there is one (the
 *       Actuator's, so {@code /actuator/prometheus} shows them, with Boot's common tags);</li>
 *   <li>{@link EpochfluxLifecycle}: cancels every run, and sends every viewer its final events,
 *       before the web server shuts down;</li>
 *   <li>with the Actuator, {@link EpochfluxEndpoint}: the runs at {@code /actuator/epochflux}.</li>
 * </ul>
 */
@AutoConfiguration
@ConditionalOnClass({ServerSentEvent.class, RunRegistry.class})
@EnableConfigurationProperties(EpochfluxProperties.class)
public class EpochfluxAutoConfiguration {

    /** The name of the training pool's bean. */
    public static final String POOL = "epochfluxTrainingPool";

    /**
     * The training pool.
     *
     * @param properties its size
     * @return a bounded pool of daemon threads, disposed with the context
     */
    @Bean(name = POOL, destroyMethod = "dispose")
    @ConditionalOnMissingBean(name = POOL)
    public Scheduler epochfluxTrainingPool(EpochfluxProperties properties) {
        return TrainingPool.create("epochflux", properties.getPoolSize());
    }

    /**
     * The runs by id.
     *
     * @param properties how long a finished run stays
     * @return an empty registry
     */
    @Bean
    @ConditionalOnMissingBean
    public RunRegistry epochfluxRunRegistry(EpochfluxProperties properties) {
        return RunRegistry.create(properties.getRunRetention(), Schedulers.parallel());
    }

    /**
     * The event form.
     *
     * @param properties the heartbeat
     * @return the events
     */
    @Bean
    @ConditionalOnMissingBean
    public ServerSentEvents epochfluxServerSentEvents(EpochfluxProperties properties) {
        return ServerSentEvents.builder().heartbeat(properties.getHeartbeat()).build();
    }

    /**
     * The runs a controller starts, watches and cancels.
     *
     * @param registry the registry
     * @param pool the training pool
     * @param events the event form
     * @param meters the application's meter registry, if any, asked for when a run starts
     * @param properties the settings
     * @return the runs
     */
    @Bean
    @ConditionalOnMissingBean
    public EpochfluxRuns epochfluxRuns(RunRegistry registry, @Qualifier(POOL) Scheduler pool, ServerSentEvents events,
                                       ObjectProvider<MeterRegistry> meters, EpochfluxProperties properties) {
        return new EpochfluxRuns(registry, pool, events, () -> Optional.ofNullable(meters.getIfAvailable()), properties);
    }

    /**
     * Ends the runs before the web server stops.
     *
     * @param runs the runs
     * @param properties how long to wait for them
     * @return the lifecycle
     */
    @Bean
    @ConditionalOnMissingBean
    public EpochfluxLifecycle epochfluxLifecycle(EpochfluxRuns runs, EpochfluxProperties properties) {
        return new EpochfluxLifecycle(runs, properties.getShutdownTimeout());
    }

    /** The Actuator endpoint, where the application has the Actuator. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
    static class ActuatorEndpoint {

        /**
         * Lists the runs at {@code /actuator/epochflux} (once exposed).
         *
         * @param runs the runs
         * @return the endpoint
         */
        @Bean
        @ConditionalOnMissingBean
        EpochfluxEndpoint epochfluxEndpoint(EpochfluxRuns runs) {
            return new EpochfluxEndpoint(runs);
        }
    }
}

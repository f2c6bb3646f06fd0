package io.epochflux.spring;

import io.epochflux.metrics.MeterNames;
import io.epochflux.metrics.TrainingMetrics;
import io.epochflux.runs.RunHandle;
import io.epochflux.runs.RunRegistry;
import io.epochflux.runs.ServerSentEvents;
import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code epochflux.*} settings of the auto-configuration, as {@code application.properties}
 * gives them:
 * <pre>
 * epochflux.pool-size=2                  # threads of the training pool (default: the processors)
 * epochflux.run-retention=1h             # how long a finished run stays listed (default 1h)
 * epochflux.viewer-buffer=256            # live epochs a viewer may fall behind (default 256)
 * epochflux.heartbeat=15s                # comment on an idle event stream (default 15s)
 * epochflux.shutdown-timeout=10s         # how long shutdown waits for cancelled runs (default 10s)
 * epochflux.metrics.retention=15m        # how long a finished run's meters stay (default 15m)
 * epochflux.metrics.tags.team=vision     # common tags on every run's meters (default none)
 * </pre>
 * Each setter checks its value and names the property and the rule when it is wrong.
 */
@ConfigurationProperties(prefix = "epochflux")
public class EpochfluxProperties {

    private int poolSize = Runtime.getRuntime().availableProcessors();
    private Duration runRetention = RunRegistry.DEFAULT_RETENTION;
    private int viewerBuffer = RunHandle.DEFAULT_VIEWER_BUFFER;
    private Duration heartbeat = ServerSentEvents.DEFAULT_HEARTBEAT;
    private Duration shutdownTimeout = Duration.ofSeconds(10);
    private final Metrics metrics = new Metrics();

    /** @return the training pool's threads */
    public int getPoolSize() {
        return poolSize;
    }

    /** @param poolSize the training pool's threads, {@code >= 1} */
    public void setPoolSize(int poolSize) {
        if (poolSize < 1) {
            throw new IllegalArgumentException("epochflux.pool-size must be >= 1, but was " + poolSize);
        }
        this.poolSize = poolSize;
    }

    /** @return how long a finished run stays listed */
    public Duration getRunRetention() {
        return runRetention;
    }

    /** @param runRetention how long a finished run stays listed, {@code >= 0} */
    public void setRunRetention(Duration runRetention) {
        this.runRetention = notNegative("epochflux.run-retention", runRetention);
    }

    /** @return the live epochs a viewer may fall behind before it is dropped */
    public int getViewerBuffer() {
        return viewerBuffer;
    }

    /** @param viewerBuffer the live epochs a viewer may fall behind, {@code >= 1} */
    public void setViewerBuffer(int viewerBuffer) {
        if (viewerBuffer < 1) {
            throw new IllegalArgumentException("epochflux.viewer-buffer must be >= 1, but was " + viewerBuffer);
        }
        this.viewerBuffer = viewerBuffer;
    }

    /** @return the interval of the comment an idle event stream gets */
    public Duration getHeartbeat() {
        return heartbeat;
    }

    /** @param heartbeat the interval of the comment an idle event stream gets, positive */
    public void setHeartbeat(Duration heartbeat) {
        Objects.requireNonNull(heartbeat, "epochflux.heartbeat");
        if (heartbeat.isZero() || heartbeat.isNegative()) {
            throw new IllegalArgumentException("epochflux.heartbeat must be positive, but was " + heartbeat);
        }
        this.heartbeat = heartbeat;
    }

    /** @return how long shutdown waits for the cancelled runs to end */
    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    /** @param shutdownTimeout how long shutdown waits for the cancelled runs to end, {@code >= 0} */
    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = notNegative("epochflux.shutdown-timeout", shutdownTimeout);
    }

    /** @return the meters' settings */
    public Metrics getMetrics() {
        return metrics;
    }

    private static Duration notNegative(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0, but was " + d);
        }
        return d;
    }

    /** The {@code epochflux.metrics.*} settings. */
    public static class Metrics {
        private Duration retention = TrainingMetrics.DEFAULT_RETENTION;
        private final Map<String, String> tags = new LinkedHashMap<>();

        /** @return how long a finished run's meters stay */
        public Duration getRetention() {
            return retention;
        }

        /** @param retention how long a finished run's meters stay, {@code >= 0} */
        public void setRetention(Duration retention) {
            this.retention = notNegative("epochflux.metrics.retention", retention);
        }

        /**
         * Returns the common tags on every run's meters, beside the application's own
         * ({@code management.metrics.tags.*}), which the registry adds itself.
         *
         * @return tag keys to values; a key may not be one of {@link MeterNames#LIBRARY_TAG_KEYS}
         */
        public Map<String, String> getTags() {
            return tags;
        }
    }
}

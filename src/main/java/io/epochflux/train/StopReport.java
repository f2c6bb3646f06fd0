package io.epochflux.train;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.epochflux.train.internal.NonFiniteDoubles;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Why and where a training stream stopped, carried by its last epoch
 * ({@link EpochMetrics#stop()}): the reason, the epoch, the rule that decided, the best epoch and
 * value of the monitored metric when there is one, the epoch whose weights were restored, and a
 * sentence a person can read.
 *
 * <p><b>JSON.</b> A plain {@code new ObjectMapper()} writes and reads it, with camelCase names:
 * {@code reason} (the {@link StopReason}'s name), {@code epoch}, {@code rule}, {@code monitor},
 * {@code bestEpoch}, {@code bestValue} (a JSON number, or {@code "NaN"}, {@code "Infinity"},
 * {@code "-Infinity"}), {@code restoredFromEpoch}, {@code message}. The optional ones are left out
 * when absent and read back as absent; {@code bestValue} is read only with {@code bestEpoch}.
 * Reading it back gives an equal report.
 * <pre>{@code
 * {"reason":"PATIENCE_EXHAUSTED","epoch":34,"rule":"EarlyStopping(monitor=val_loss, mode=min, patience=30)",
 *  "monitor":"val_loss","bestEpoch":4,"bestValue":0.3127,"restoredFromEpoch":4,
 *  "message":"val_loss did not improve for 30 epochs (patience 30); best 0.3127 at epoch 4"}
 * }</pre>
 */
@JsonPropertyOrder({"reason", "epoch", "rule", "monitor", "bestEpoch", "bestValue", "restoredFromEpoch", "message"})
public final class StopReport {

    private final StopReason reason;
    private final int epoch;
    private final String rule;
    private final String monitor;
    private final int bestEpoch;
    private final double bestValue;
    private final boolean hasBest;
    private final int restoredFromEpoch;
    private final String message;

    private StopReport(Builder b) {
        this.reason = b.reason;
        this.epoch = b.epoch;
        this.rule = b.rule;
        this.monitor = b.monitor;
        this.bestEpoch = b.bestEpoch;
        this.bestValue = b.bestValue;
        this.hasBest = b.hasBest;
        this.restoredFromEpoch = b.restoredFromEpoch;
        this.message = b.message != null ? b.message : reason.name() + " at epoch " + epoch;
    }

    /**
     * Starts a report.
     *
     * @param reason why the stream stopped
     * @param epoch the epoch it stopped on, {@code >= 1}
     * @return a builder
     */
    public static Builder builder(StopReason reason, int epoch) {
        return new Builder(reason, epoch);
    }

    /** The JSON form's reader: see the class description. */
    @JsonCreator
    private static StopReport fromJson(
            @JsonProperty(value = "reason", required = true) StopReason reason,
            @JsonProperty(value = "epoch", required = true) int epoch,
            @JsonProperty("rule") String rule,
            @JsonProperty("monitor") String monitor,
            @JsonProperty("bestEpoch") Integer bestEpoch,
            @JsonProperty("bestValue") @JsonDeserialize(using = NonFiniteDoubles.Deserializer.class) Double bestValue,
            @JsonProperty("restoredFromEpoch") Integer restoredFromEpoch,
            @JsonProperty("message") String message) {
        Builder b = builder(reason, epoch);
        if (rule != null) {
            b.rule(rule);
        }
        if (monitor != null) {
            b.monitor(monitor);
        }
        if (bestEpoch != null) {
            b.best(bestEpoch, bestValue == null ? Double.NaN : bestValue);
        }
        if (restoredFromEpoch != null) {
            b.restoredFromEpoch(restoredFromEpoch);
        }
        if (message != null) {
            b.message(message);
        }
        return b.build();
    }

    /**
     * Returns a builder holding everything in this report, to amend it.
     *
     * @return a builder
     */
    public Builder toBuilder() {
        Builder b = new Builder(reason, epoch).rule(rule).message(message);
        b.monitor = monitor;
        if (hasBest) {
            b.best(bestEpoch, bestValue);
        }
        b.restoredFromEpoch = restoredFromEpoch;
        return b;
    }

    /** @return why the stream stopped */
    @JsonProperty("reason")
    public StopReason reason() {
        return reason;
    }

    /** @return the epoch it stopped on (1-based) */
    @JsonProperty("epoch")
    public int epoch() {
        return epoch;
    }

    /** @return the rule that decided, as in {@code EarlyStopping(monitor=val_loss, patience=30)} */
    @JsonProperty("rule")
    public String rule() {
        return rule;
    }

    /** @return the metric the deciding rule watched, if it watched one */
    @JsonIgnore
    public Optional<String> monitor() {
        return Optional.ofNullable(monitor);
    }

    /** The monitor for JSON: left out when absent. */
    @JsonProperty("monitor")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private String monitorOrNull() {
        return monitor;
    }

    /** @return the epoch with the best monitored value, if one was seen */
    @JsonIgnore
    public OptionalInt bestEpoch() {
        return hasBest ? OptionalInt.of(bestEpoch) : OptionalInt.empty();
    }

    /** The best epoch for JSON: left out when absent. */
    @JsonProperty("bestEpoch")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private Integer bestEpochOrNull() {
        return hasBest ? bestEpoch : null;
    }

    /** @return the best monitored value, if one was seen */
    @JsonIgnore
    public OptionalDouble bestValue() {
        return hasBest ? OptionalDouble.of(bestValue) : OptionalDouble.empty();
    }

    /** The best value for JSON: left out when absent, a string when not finite. */
    @JsonProperty("bestValue")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonSerialize(using = NonFiniteDoubles.Serializer.class)
    private Double bestValueOrNull() {
        return hasBest ? bestValue : null;
    }

    /** @return the epoch whose weights were put back into the model, if any were */
    @JsonIgnore
    public OptionalInt restoredFromEpoch() {
        return restoredFromEpoch > 0 ? OptionalInt.of(restoredFromEpoch) : OptionalInt.empty();
    }

    /** The restored epoch for JSON: left out when absent. */
    @JsonProperty("restoredFromEpoch")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private Integer restoredFromEpochOrNull() {
        return restoredFromEpoch > 0 ? restoredFromEpoch : null;
    }

    /** @return a sentence saying what happened */
    @JsonProperty("message")
    public String message() {
        return message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StopReport r && reason.equals(r.reason) && epoch == r.epoch && rule.equals(r.rule)
                && Objects.equals(monitor, r.monitor) && hasBest == r.hasBest && bestEpoch == r.bestEpoch
                && Double.compare(bestValue, r.bestValue) == 0 && restoredFromEpoch == r.restoredFromEpoch
                && message.equals(r.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(reason, epoch, rule, monitor, hasBest, bestEpoch, bestValue, restoredFromEpoch, message);
    }

    @Override
    public String toString() {
        return "StopReport[" + reason + " at epoch " + epoch + " by " + rule + ": " + message + "]";
    }

    /** Builds a {@link StopReport}. */
    public static final class Builder {
        private final StopReason reason;
        private final int epoch;
        private String rule = "";
        private String monitor;
        private int bestEpoch;
        private double bestValue = Double.NaN;
        private boolean hasBest;
        private int restoredFromEpoch;
        private String message;

        private Builder(StopReason reason, int epoch) {
            this.reason = Objects.requireNonNull(reason, "reason");
            if (epoch < 1) {
                throw new IllegalArgumentException("epoch must be >= 1, but was " + epoch);
            }
            this.epoch = epoch;
        }

        /**
         * Names the rule that decided.
         *
         * @param rule a description such as {@code EarlyStopping(monitor=val_loss, patience=30)}
         * @return this builder
         */
        public Builder rule(String rule) {
            this.rule = Objects.requireNonNull(rule, "rule");
            return this;
        }

        /**
         * Names the metric the rule watched.
         *
         * @param monitor a metric name
         * @return this builder
         */
        public Builder monitor(String monitor) {
            this.monitor = Objects.requireNonNull(monitor, "monitor");
            return this;
        }

        /**
         * Records the best epoch and value of the monitored metric.
         *
         * @param epoch the best epoch, {@code >= 1}
         * @param value its value
         * @return this builder
         */
        public Builder best(int epoch, double value) {
            if (epoch < 1) {
                throw new IllegalArgumentException("best epoch must be >= 1, but was " + epoch);
            }
            this.bestEpoch = epoch;
            this.bestValue = value;
            this.hasBest = true;
            return this;
        }

        /**
         * Records which epoch's weights were restored.
         *
         * @param epoch the restored epoch, {@code >= 1}
         * @return this builder
         */
        public Builder restoredFromEpoch(int epoch) {
            if (epoch < 1) {
                throw new IllegalArgumentException("restored epoch must be >= 1, but was " + epoch);
            }
            this.restoredFromEpoch = epoch;
            return this;
        }

        /**
         * Sets the sentence that explains the stop.
         *
         * @param message a sentence for people
         * @return this builder
         */
        public Builder message(String message) {
            this.message = Objects.requireNonNull(message, "message");
            return this;
        }

        /** @return the report */
        public StopReport build() {
            return new StopReport(this);
        }
    }
}

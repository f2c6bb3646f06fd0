package io.epochflux.stop;

import io.epochflux.train.EpochMetrics;
import io.epochflux.train.StopReport;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SignalType;

import java.util.Objects;
import java.util.function.Function;

/**
 * A rule that ends a training stream: a Reactor operator for {@code flux.transform(rule)}.
 *
 * <p>Every rule behaves the same way at the edges. It passes epochs through unchanged until it
 * decides to stop; then it emits the deciding epoch carrying a {@link StopReport}, cancels
 * upstream (which stops the trainer) and completes. When upstream's last epoch already carries a
 * report (the trainer's {@code MAX_EPOCHS}, or another rule upstream), the rule adds what it knows
 * to that report. Errors pass through. Demand passes through unchanged: a rule never requests
 * more epochs than downstream asked for.
 *
 * <pre>
 *   upstream:   --e1--e2--e3--e4--e5--e6--...
 *   rule:       --e1--e2--e3--e4--e5(report)|      upstream cancelled at e5
 * </pre>
 *
 * <p>Rules are immutable and keep their per-run state inside each subscription, so one instance
 * can be shared and reused. Compose them with {@link #anyOf} and {@link #allOf}, which give one
 * report that names the rule that decided, or chain them with {@code transform}.
 */
public abstract sealed class StopRule implements Function<Flux<EpochMetrics>, Flux<EpochMetrics>>
        permits EarlyStopping, StopWhen, Composite {

    StopRule() {
    }

    /** @return fresh per-subscription state */
    abstract Watch newWatch();

    /** @return whether this rule (or one it is made of) restores weights when the run ends */
    abstract int restoringRules();

    /**
     * Describes the rule, for reports: {@code EarlyStopping(monitor=val_loss, patience=30)}.
     *
     * @return a description
     */
    public abstract String describe();

    /**
     * Applies the rule to a stream.
     *
     * @param epochs the training stream
     * @return the stream, ending where the rule decides
     */
    @Override
    public final Flux<EpochMetrics> apply(Flux<EpochMetrics> epochs) {
        Objects.requireNonNull(epochs, "epochs");
        return Flux.defer(() -> {
            Watch watch = newWatch();
            boolean[] decided = new boolean[1];
            return epochs
                    .map(epoch -> {
                        StopReport mine = watch.observe(epoch);
                        if (epoch.stop().isPresent()) {
                            return epoch.withStop(watch.finish(epoch.stop().get()));
                        }
                        if (mine != null) {
                            decided[0] = true;
                            return epoch.withStop(watch.finish(mine));
                        }
                        return epoch;
                    })
                    .takeUntil(epoch -> decided[0])
                    .doOnComplete(watch::end)
                    .doOnError(error -> watch.end())
                    // after upstream has been cancelled, so no batch can overwrite restored weights
                    .doFinally(signal -> {
                        if (signal == SignalType.CANCEL) {
                            watch.end();
                        }
                    });
        });
    }

    /**
     * Stops when any of the rules would: the first in argument order that decides gives the
     * report, and every rule finishes (an early stopping rule restores its best weights).
     *
     * @param rules the rules; at most one may restore weights
     * @return the composition
     */
    public static StopRule anyOf(StopRule... rules) {
        return new Composite(Composite.Kind.ANY, rules);
    }

    /**
     * Stops only on an epoch where every rule would: for example, stop when both
     * {@code val_loss} and {@code val_accuracy} have stalled.
     *
     * @param rules the rules; at most one may restore weights
     * @return the composition
     */
    public static StopRule allOf(StopRule... rules) {
        return new Composite(Composite.Kind.ALL, rules);
    }

    @Override
    public String toString() {
        return describe();
    }
}

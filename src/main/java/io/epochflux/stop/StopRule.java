package io.epochflux.stop;

import io.epochflux.train.EpochMetrics;
import io.epochflux.train.RunLink;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;
import reactor.core.publisher.Flux;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A rule that ends a training stream: a Reactor operator for {@code flux.transform(rule)}.
 *
 * <p>Every rule behaves the same way at the edges. It passes epochs through unchanged until it
 * decides to stop; then it emits the deciding epoch carrying a {@link StopReport}, cancels
 * upstream (which stops the trainer) and completes. When upstream's last epoch already carries a
 * report (the trainer's {@code MAX_EPOCHS}, or another rule upstream), the rule adds what it knows
 * to that report; if it would itself have stopped on that epoch, its own reason wins over
 * {@code MAX_EPOCHS} (as Keras reports the early stop) and the message notes that the epoch limit
 * was reached too. Errors pass through. Demand passes through unchanged: a rule never requests
 * more epochs than downstream asked for.
 *
 * <pre>
 *   upstream:   --e1--e2--e3--e4--e5--e6--...
 *   rule:       --e1--e2--e3--e4--e5(report)|      upstream cancelled at e5
 * </pre>
 *
 * <p>Rules are immutable and keep their per-run state in a {@link Watch} made for each
 * subscription, so one instance can be shared and reused. Compose them with {@link #anyOf} and
 * {@link #allOf}, which give one report that names the rule that decided, or chain them with
 * {@code transform}.
 *
 * <p><b>A rule of your own.</b> Extend this class and return a fresh {@link Watch} from
 * {@link #newWatch()}; the operator gives it the same guarantees as the built-in rules (fresh
 * state per subscription, the report on the deciding epoch, {@link Watch#finish} or
 * {@link Watch#end} however the stream ends, the trainer told of the stop) and it composes with
 * {@code anyOf} and {@code allOf}. Override {@link #restoresWeights()} if the watch restores
 * weights (the trainer then snapshots every epoch for it), and {@link #resume} with
 * {@link Watch#save()} to make its state survive a checkpoint:
 *
 * <pre>{@code
 * final class StopAfterLossRises extends StopRule {          // stop when loss rose `times` epochs in a row
 *     private final int times;
 *     StopAfterLossRises(int times) { this.times = times; }
 *     public String describe() { return "StopAfterLossRises(" + times + ")"; }
 *     protected Watch newWatch() { return watch(Double.NaN, 0); }
 *     protected Watch resume(RuleState saved, RunLink link) { return watch(saved.get("last"), (int) saved.get("rises")); }
 *     private Watch watch(double startLast, int startRises) {
 *         return new Watch() {
 *             double last = startLast;
 *             int rises = startRises;
 *             public StopReport observe(EpochMetrics e) {
 *                 double loss = e.value("loss").orElseThrow();
 *                 rises = loss > last ? rises + 1 : 0;
 *                 last = loss;
 *                 return rises < times ? null : StopReport.builder(StopReason.of("LOSS_RISING"), e.epoch())
 *                         .rule(describe()).message("loss rose " + rises + " epochs in a row").build();
 *             }
 *             public RuleState save() { return RuleState.builder().put("last", last).put("rises", rises).build(); }
 *         };
 *     }
 * }
 * }</pre>
 */
public abstract class StopRule implements Function<Flux<EpochMetrics>, Flux<EpochMetrics>> {

    /** For subclasses. */
    protected StopRule() {
    }

    /**
     * Makes the state of one subscription.
     *
     * @return a fresh watch
     */
    protected abstract Watch newWatch();

    /**
     * Makes the state of one subscription from a saved state (see {@link RuleStates}). Rules that
     * keep state override this together with {@link Watch#save()}; the default accepts only an
     * empty state.
     *
     * @param saved what a watch of this rule saved, not empty
     * @param link the run the stream trains, for {@link RunLink#snapshotOf} of saved weights
     * @return a watch that decides as the saved one would have
     * @throws UnsupportedOperationException when this rule cannot resume
     */
    protected Watch resume(RuleState saved, RunLink link) {
        throw new UnsupportedOperationException(describe() + " cannot resume from a saved state: override resume()"
                + " and Watch.save() to support checkpoints");
    }

    /**
     * Tells whether this rule (or one it is made of) restores weights when the run ends; the
     * trainer then snapshots every epoch's weights for it.
     *
     * @return false unless overridden
     */
    public boolean restoresWeights() {
        return false;
    }

    /** @return how many of the rules this is made of restore weights */
    int restoringRules() {
        return restoresWeights() ? 1 : 0;
    }

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
        return Flux.deferContextual(downstream -> {
            RunLink link = RunLink.below(downstream, restoresWeights());
            RuleStates states = RuleStates.from(downstream);
            Watch watch;
            if (states != null) {
                RuleState saved = states.savedForNext(describe());
                watch = saved.isEmpty() ? newWatch() : resume(saved, link);
                states.register(describe(), watch::save);
            } else {
                watch = newWatch();
            }
            boolean[] decided = new boolean[1];
            // end() at most once, and never after finish(): a cancel may race the last epoch
            AtomicBoolean over = new AtomicBoolean();
            Runnable end = () -> {
                if (over.compareAndSet(false, true)) {
                    watch.end();
                }
            };
            return epochs
                    .contextWrite(link::into)
                    // before the cancel reaches the trainer, so what end() restores is what the run keeps
                    .doOnCancel(end)
                    .map(epoch -> {
                        StopReport mine = watch.observe(epoch);
                        StopReport upstream = epoch.stop().orElse(null);
                        if (upstream == null && mine == null) {
                            return epoch;
                        }
                        StopReport report;
                        if (upstream == null) {
                            decided[0] = true;
                            report = mine;
                        } else if (mine != null && upstream.reason().equals(StopReason.MAX_EPOCHS)) {
                            // as Keras: the rule's stop is the report, the limit a note
                            report = mine.toBuilder().message(mine.message() + "; the epoch limit ("
                                    + upstream.epoch() + ") was reached on the same epoch").build();
                        } else {
                            report = upstream;
                        }
                        over.set(true);
                        report = watch.finish(report);
                        link.reportStop(report);
                        return epoch.withStop(report);
                    })
                    .takeUntil(epoch -> decided[0])
                    .doOnComplete(end)
                    .doOnError(error -> end.run());
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

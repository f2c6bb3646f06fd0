package io.epochflux.train;

import reactor.util.context.Context;
import reactor.util.context.ContextView;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;

/**
 * An operator's line to the training run above it in the stream, passed up through the
 * subscriber {@link Context}. Stop operators use it to tell the run that the stream ends with a
 * report (so that {@link TrainingRun#outcome()} says why the run stopped, a value rather than an
 * inference from a cancel), to ask for the per-epoch {@link ModelSnapshot}s they restore from,
 * and to restore weights they saved earlier (a resumed rule's best weights). Learning-rate
 * operators use it to steer the run: {@link #setLearningRate} changes the rate of the epochs that
 * follow.
 *
 * <p>An operator makes its link in {@code Flux.deferContextual}, from the context downstream gave
 * it, and writes it into its upstream's context:
 *
 * <pre>{@code
 * Flux.deferContextual(downstream -> {
 *     RunLink link = RunLink.below(downstream, true);        // true: this operator restores weights
 *     return epochs.contextWrite(link::into)
 *                  .map(epoch -> ...);                         // link.reportStop(report) on a stop
 * });
 * }</pre>
 *
 * <p>Links chain: a run connects to the nearest link and through it to every link below, so every
 * operator's report reaches the run, and the last one reported (the most downstream, which has
 * seen every amendment) is the run's. Without a training run upstream a link is simply never
 * connected, and its calls do nothing.
 *
 * <p><b>Steering the learning rate.</b> Training is demand-driven: the run trains epoch
 * {@code n + 1} only after it emitted epoch {@code n}, and it emits on its own thread. An operator
 * that sees epoch {@code n} synchronously on that thread (nothing like {@code publishOn} between it
 * and the trainer) and calls {@link #setLearningRate} there changes the rate of epoch
 * {@code n + 1}: the run records the change without blocking the caller and applies it on its own
 * thread before that epoch's first batch. Behind a thread hop the run may already have started the
 * next epoch, and the change then applies one epoch late. A change made while the operator
 * subscribes (before any epoch) applies to epoch 1. Changes from several operators on one epoch
 * apply in the order they were made, so the most downstream operator has the last word. A link
 * made by {@link #steering} also asks the run to report the rate in force during each epoch as
 * the value {@code learning_rate}, after {@code val_accuracy}.
 */
public final class RunLink {

    private static final Object KEY = RunLink.class;
    private static final Object SNAPSHOTS = new Object();

    /** The name of the learning rate in force during an epoch, in {@link EpochMetrics#values()}, as Keras logs it. */
    public static final String LEARNING_RATE = "learning_rate";

    private final RunLink parent;
    private final boolean snapshots;
    private final boolean learningRate;
    // changes made before a run connected (while subscribing): the run applies them to epoch 1
    private final AtomicReference<DoubleUnaryOperator> early = new AtomicReference<>();
    private volatile Target run;

    private RunLink(RunLink parent, boolean snapshots, boolean learningRate) {
        this.parent = parent;
        this.snapshots = snapshots || parent != null && parent.snapshots;
        this.learningRate = learningRate || parent != null && parent.learningRate;
    }

    /**
     * What a link reaches: the {@link Run}, or a test's stand-in for one.
     */
    interface Target {
        void onStopReport(StopReport report);

        void restoreSaved(int epoch, float[] values);

        /** Queues a change of the learning rate for the next epoch; never waits. */
        void updateLearningRate(DoubleUnaryOperator update);

        /** The rate the next epoch trains with, queued changes applied. */
        double nextLearningRate();

        /** The run's state at the end of the epoch it delivers, on its own thread. */
        default Checkpoint checkpoint() {
            throw new IllegalStateException("only a training run can be checkpointed");
        }
    }

    /**
     * Makes the link of an operator.
     *
     * @param downstream the context the operator's subscriber gave it
     * @param wantsSnapshots whether this operator needs each epoch's {@link ModelSnapshot}
     * @return a link chained to the one below, if any
     */
    public static RunLink below(ContextView downstream, boolean wantsSnapshots) {
        Objects.requireNonNull(downstream, "downstream");
        RunLink parent = downstream.getOrDefault(KEY, null);
        return new RunLink(parent, wantsSnapshots || downstream.hasKey(SNAPSHOTS), false);
    }

    /**
     * Makes the link of an operator that steers the learning rate: the run it connects to adds
     * {@value #LEARNING_RATE}, the rate in force during the epoch, to every epoch's values.
     *
     * @param downstream the context the operator's subscriber gave it
     * @return a link chained to the one below, if any
     */
    public static RunLink steering(ContextView downstream) {
        Objects.requireNonNull(downstream, "downstream");
        RunLink parent = downstream.getOrDefault(KEY, null);
        return new RunLink(parent, downstream.hasKey(SNAPSHOTS), true);
    }

    /**
     * Sets the learning rate of the epochs after the one being delivered, from their first batch
     * (see the class comment for when that is). The run keeps it as Keras keeps
     * {@code optimizer.learning_rate}, a float32, so the rate in force is {@code (float) rate};
     * the optimizer's other state (momentum, Adam's moments) carries on. Never waits.
     *
     * @param rate {@code >= 0} and finite; 0 freezes the weights (for an optimizer without momentum)
     */
    public void setLearningRate(double rate) {
        checkRate(rate);
        updateLearningRate(current -> rate);
    }

    /**
     * Changes the learning rate of the next epoch as a function of the rate it would otherwise
     * train with (the rate in force, or the last one set), applied by the run on its own thread
     * before the epoch's first batch. Use it where the rate depends on one the operator cannot know
     * yet, such as the first epoch's rate, which is the trainer's until the run starts. The
     * function must return a rate {@code >= 0} and finite, or the run fails with the error; it
     * must have no side effects, as {@link #learningRate()} may call it too.
     *
     * @param update the new rate from the current one
     */
    public void updateLearningRate(DoubleUnaryOperator update) {
        Objects.requireNonNull(update, "update");
        Target r = run;
        if (r != null) {
            r.updateLearningRate(update);
        } else {
            early.accumulateAndGet(update, (a, b) -> a == null ? b : a.andThen(b));
            Target now = run;
            if (now != null) {
                // the run connected meanwhile and may have taken the early changes already
                DoubleUnaryOperator missed = early.getAndSet(null);
                if (missed != null) {
                    now.updateLearningRate(missed);
                }
            }
        }
    }

    /**
     * Returns the learning rate the next epoch will train with as things stand: the rate in force,
     * with the changes made since applied.
     *
     * @return the rate; empty when no training run is connected (a stream of hand-made epochs, or
     *         while subscribing)
     */
    public OptionalDouble learningRate() {
        Target r = run;
        return r == null ? OptionalDouble.empty() : OptionalDouble.of(r.nextLearningRate());
    }

    static void checkRate(double rate) {
        if (!(rate >= 0 && Double.isFinite(rate))) {
            throw new IllegalArgumentException("learning rate must be >= 0 and finite, but was " + rate);
        }
    }

    /**
     * Writes this link into a context, for {@code contextWrite(link::into)}.
     *
     * @param context the context
     * @return the context with this link
     */
    public Context into(Context context) {
        return context.put(KEY, this);
    }

    /**
     * Asks the training run upstream for a {@link ModelSnapshot} on every epoch, for code that
     * keeps weights without being a stop rule: {@code flux.contextWrite(RunLink.withSnapshots())}.
     * Restoring stop rules ask for them themselves.
     *
     * @return a context transformation for {@code contextWrite}
     */
    public static Function<Context, Context> withSnapshots() {
        return context -> context.put(SNAPSHOTS, Boolean.TRUE);
    }

    /**
     * Tells the run that the stream ends on this report's epoch, with this report (or amends what
     * an operator above reported). Call it before emitting the epoch that carries it.
     *
     * @param report the report
     */
    public void reportStop(StopReport report) {
        Objects.requireNonNull(report, "report");
        Target r = run;
        if (r != null) {
            r.onStopReport(report);
        }
    }

    /**
     * Puts saved weights back into the model the run trains, as a snapshot taken at that epoch
     * would: a rule resumed from a checkpoint restores its best weights through this.
     *
     * @param epoch the epoch the weights were taken at, {@code >= 1}
     * @param parameters the flat parameter vector, as {@link ModelSnapshot#parameters()} gives it
     * @return a snapshot bound to whichever run connects to this link; restoring it does nothing
     *         when no run is upstream (a stream of hand-made epochs)
     */
    public ModelSnapshot snapshotOf(int epoch, float[] parameters) {
        Objects.requireNonNull(parameters, "parameters");
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be >= 1, but was " + epoch);
        }
        float[] copy = parameters.clone();
        return new ModelSnapshot() {
            @Override
            public void restore() {
                Target r = run;
                if (r != null) {
                    r.restoreSaved(epoch, copy);
                }
            }

            @Override
            public Optional<float[]> parameters() {
                return Optional.of(copy.clone());
            }

            @Override
            public int epoch() {
                return epoch;
            }
        };
    }

    /**
     * Takes a checkpoint of the run upstream at the end of the epoch it is delivering. Call it on
     * the thread that delivers the epoch (in {@code doOnNext}, with no {@code publishOn} between
     * the run and this operator): the run is between two epochs then, so the weights, optimizer
     * state and shuffle position are consistent with each other and with the epoch.
     *
     * @return the checkpoint, or empty when no training run is upstream
     * @throws IllegalStateException when called on another thread, or after the run ended
     */
    public Optional<Checkpoint> checkpoint() {
        Target r = run;
        return r == null ? Optional.empty() : Optional.of(r.checkpoint());
    }

    static Optional<RunLink> from(ContextView context) {
        return Optional.ofNullable(context.getOrDefault(KEY, null));
    }

    static boolean snapshotsWanted(ContextView context) {
        RunLink link = context.getOrDefault(KEY, null);
        return context.hasKey(SNAPSHOTS) || link != null && link.snapshots;
    }

    static boolean learningRateWanted(ContextView context) {
        RunLink link = context.getOrDefault(KEY, null);
        return link != null && link.learningRate;
    }

    /**
     * Connects this link and every link below to a run; changes made before, from the most
     * upstream operator to the most downstream, go to the run in that order.
     */
    void connect(Target run) {
        for (RunLink l = this; l != null; l = l.parent) {
            l.run = run;
            DoubleUnaryOperator before = l.early.getAndSet(null);
            if (before != null) {
                run.updateLearningRate(before);
            }
        }
    }
}

package io.epochflux.train;

import reactor.util.context.Context;
import reactor.util.context.ContextView;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * An operator's line to the training run above it in the stream, passed up through the
 * subscriber {@link Context}. Stop operators use it to tell the run that the stream ends with a
 * report (so that {@link TrainingRun#outcome()} says why the run stopped, a value rather than an
 * inference from a cancel), to ask for the per-epoch {@link ModelSnapshot}s they restore from,
 * and to restore weights they saved earlier (a resumed rule's best weights).
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
 */
public final class RunLink {

    private static final Object KEY = RunLink.class;
    private static final Object SNAPSHOTS = new Object();

    private final RunLink parent;
    private final boolean snapshots;
    private volatile Run run;

    private RunLink(RunLink parent, boolean snapshots) {
        this.parent = parent;
        this.snapshots = snapshots || parent != null && parent.snapshots;
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
        return new RunLink(parent, wantsSnapshots || downstream.hasKey(SNAPSHOTS));
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
        Run r = run;
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
                Run r = run;
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
        Run r = run;
        return r == null ? Optional.empty() : Optional.of(r.checkpoint());
    }

    static Optional<RunLink> from(ContextView context) {
        return Optional.ofNullable(context.getOrDefault(KEY, null));
    }

    static boolean snapshotsWanted(ContextView context) {
        RunLink link = context.getOrDefault(KEY, null);
        return context.hasKey(SNAPSHOTS) || link != null && link.snapshots;
    }

    void connect(Run run) {
        for (RunLink l = this; l != null; l = l.parent) {
            l.run = run;
        }
    }
}

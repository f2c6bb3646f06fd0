package io.epochflux.sweep;

import io.epochflux.train.EpochMetrics;
import io.epochflux.train.History;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;

import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * What one trial of a sweep did: its epochs, its best validation loss, and how it ended (its own
 * early stopping, the epoch limit, or pruned at a rung).
 */
public final class TrialResult {

    /**
     * Best first: the lower best {@code val_loss} first, a trial without one last, ties by the
     * trial's index.
     */
    public static final Comparator<TrialResult> BEST_FIRST = Comparator
            .comparingDouble((TrialResult r) -> Double.isNaN(r.bestValLoss) ? Double.POSITIVE_INFINITY : r.bestValLoss)
            .thenComparingInt(r -> Double.isNaN(r.bestValLoss) ? 1 : 0)
            .thenComparingInt(r -> r.trial.index());

    private final Trial trial;
    private final History history;
    private final double bestValLoss;
    private final int bestEpoch;
    private final int prunedAtRung;

    /**
     * Makes a result.
     *
     * @param trial the trial
     * @param history every epoch it ran (the last carries its stop report)
     * @param prunedAtRung the rung it was pruned at (0-based), or -1 when not pruned
     */
    public TrialResult(Trial trial, History history, int prunedAtRung) {
        this.trial = Objects.requireNonNull(trial, "trial");
        this.history = Objects.requireNonNull(history, "history");
        if (prunedAtRung < -1) {
            throw new IllegalArgumentException("prunedAtRung must be >= -1, but was " + prunedAtRung);
        }
        this.prunedAtRung = prunedAtRung;
        double best = Double.NaN;
        int at = -1;
        for (EpochMetrics e : history.epochs()) {
            OptionalDouble v = e.value("val_loss");
            if (v.isPresent() && !Double.isNaN(v.getAsDouble()) && (Double.isNaN(best) || v.getAsDouble() < best)) {
                best = v.getAsDouble();
                at = e.epoch();
            }
        }
        this.bestValLoss = best;
        this.bestEpoch = at;
    }

    /** @return the trial */
    public Trial trial() {
        return trial;
    }

    /** @return every epoch it ran */
    public History history() {
        return history;
    }

    /** @return how many epochs it trained */
    public int epochs() {
        return history.size();
    }

    /** @return the lowest {@code val_loss} it reached; NaN when it reported none */
    public double bestValLoss() {
        return bestValLoss;
    }

    /** @return the epoch of {@link #bestValLoss()}; empty when it reported none */
    public OptionalInt bestEpoch() {
        return bestEpoch < 0 ? OptionalInt.empty() : OptionalInt.of(bestEpoch);
    }

    /** @return the report its last epoch carries; empty when it ended without one (interrupted) */
    public Optional<StopReport> stop() {
        return history.stop();
    }

    /** @return whether its pruner stopped it */
    public boolean pruned() {
        return history.stop().filter(s -> s.reason().equals(StopReason.PRUNED)).isPresent();
    }

    /** @return the rung (0-based) it was pruned at; empty when it was not pruned */
    public OptionalInt prunedAtRung() {
        return prunedAtRung < 0 ? OptionalInt.empty() : OptionalInt.of(prunedAtRung);
    }

    @Override
    public String toString() {
        return "TrialResult[" + trial.name() + ", epochs=" + epochs() + ", best val_loss=" + bestValLoss
                + (pruned() ? ", pruned at rung " + prunedAtRung : "") + "]";
    }
}

package io.epochflux.report;

import io.epochflux.internal.Format;
import io.epochflux.train.BatchListener;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.StopReport;

import java.io.PrintWriter;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Prints a training stream as Keras does, one line per epoch as it arrives:
 *
 * <pre>
 * Epoch 12/3000 - 3ms - loss: 2.1053 - accuracy: 0.1871 - val_loss: 2.0634 - val_accuracy: 0.2167
 * </pre>
 *
 * <p>Use it with {@code flux.doOnNext(printer)}. Registered as the trainer's
 * {@link BatchListener} too, it draws a live progress bar within epochs that take longer than a
 * second, in place on a terminal (or, verbose and not on a terminal, a line per tenth of the
 * epoch). A stop report is printed after its epoch. Safe to call from the training thread and the
 * subscriber's thread.
 */
public final class ProgressPrinter implements Consumer<EpochMetrics>, BatchListener {

    /** How much to print. */
    public enum Verbosity {
        /** Nothing per epoch. */
        QUIET,
        /** One line per epoch, the stop report, and a live bar within long epochs on a terminal. */
        NORMAL,
        /** As NORMAL, and progress within long epochs even when not on a terminal. */
        VERBOSE
    }

    private static final long SLOW_EPOCH_NANOS = 1_000_000_000L;
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR = 30;

    private final PrintWriter out;
    private final int epochs;
    private final Verbosity verbosity;
    private final boolean terminal;
    private final LongSupplier clock;
    private final String prefix;
    private final int every;
    private final StringBuilder line = new StringBuilder(160);
    private long epochStart;
    private int currentEpoch;
    private long lastDraw;
    private int lastTenth;
    private boolean barShown;
    /** The name of the metric the batch listener's figure is: accuracy, or mae for a regression. */
    private volatile String metric = "accuracy";

    /**
     * Creates a printer.
     *
     * @param out where to print
     * @param epochs the epoch limit, shown as {@code Epoch n/epochs}
     * @param verbosity how much to print
     * @param terminal whether {@code out} is a terminal that can redraw a line in place
     */
    public ProgressPrinter(PrintWriter out, int epochs, Verbosity verbosity, boolean terminal) {
        this(out, epochs, verbosity, terminal, System::nanoTime);
    }

    ProgressPrinter(PrintWriter out, int epochs, Verbosity verbosity, boolean terminal, LongSupplier clock) {
        this(out, epochs, verbosity, terminal, clock, "", 1);
    }

    private ProgressPrinter(PrintWriter out, int epochs, Verbosity verbosity, boolean terminal, LongSupplier clock,
                            String prefix, int every) {
        this.out = Objects.requireNonNull(out, "out");
        this.epochs = epochs;
        this.verbosity = Objects.requireNonNull(verbosity, "verbosity");
        this.terminal = terminal;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        if (every < 1) {
            throw new IllegalArgumentException("every must be >= 1, but was " + every);
        }
        this.every = every;
    }

    /**
     * Returns a printer for one of several runs sharing an output: every line starts with
     * {@code prefix}, and only every {@code every}-th epoch (and the last) is printed. The live
     * bar is left out, since several runs cannot share one line.
     *
     * @param prefix such as {@code [patience-30] }
     * @param every print epochs 1, every, 2 * every, ... and any epoch that carries a stop report
     * @return the printer
     */
    public ProgressPrinter forOneOfSeveral(String prefix, int every) {
        return new ProgressPrinter(out, epochs, verbosity, false, clock, prefix, every);
    }

    @Override
    public synchronized void accept(EpochMetrics m) {
        if (verbosity == Verbosity.QUIET) {
            return;
        }
        if (m.stop().isEmpty() && m.epoch() != 1 && m.epoch() % every != 0) {
            return;
        }
        line.setLength(0);
        if (barShown) {
            line.append('\r');
            barShown = false;
        }
        line.append(prefix).append("Epoch ").append(m.epoch()).append('/').append(epochs).append(" - ");
        Format.duration(line, m.duration());
        for (Map.Entry<String, Double> e : m.values().entrySet()) {
            line.append(" - ").append(e.getKey()).append(": ");
            double v = e.getValue();
            if (e.getKey().equals("learning_rate") && !(Math.abs(v) > 1e-3) && !Double.isNaN(v)) {
                // as Keras' progress bar writes a small value: 1.0000e-04, where %.4f would print 0.0000
                line.append(String.format(java.util.Locale.ROOT, "%.4e", v));
            } else {
                Format.fixed4(line, v);
            }
        }
        if (terminal) {
            line.append("\u001b[K"); // clear what a longer progress bar left on this line
        }
        out.println(line);
        m.stop().ifPresent(this::printStop);
        out.flush();
        currentEpoch = 0;
    }

    private void printStop(StopReport r) {
        out.println(prefix + "Epoch " + r.epoch() + ": stopped (" + r.reason() + ") by " + r.rule() + ": " + r.message());
        r.restoredFromEpoch().ifPresent(e -> out.println(prefix + "Restoring model weights from the end of the best epoch: " + e + "."));
    }

    @Override
    public synchronized void onBatch(int epoch, int batch, int batches, double loss, double accuracy) {
        if (verbosity == Verbosity.QUIET || (!terminal && verbosity != Verbosity.VERBOSE) || !prefix.isEmpty()) {
            return;
        }
        long now = clock.getAsLong();
        if (epoch != currentEpoch) {
            currentEpoch = epoch;
            epochStart = now - 1; // the first batch has already run
            lastDraw = 0;
            lastTenth = 0;
        }
        long elapsed = now - epochStart;
        if (elapsed < SLOW_EPOCH_NANOS || batch == batches) {
            return;
        }
        if (terminal) {
            if (now - lastDraw < REDRAW_NANOS) {
                return;
            }
            lastDraw = now;
            line.setLength(0);
            line.append('\r');
            progress(line, epoch, batch, batches, loss, accuracy, elapsed);
            line.append("\u001b[K");
            out.print(line);
            barShown = true;
        } else {
            int tenth = (int) ((long) batch * 10 / batches);
            if (tenth <= lastTenth) {
                return;
            }
            lastTenth = tenth;
            line.setLength(0);
            progress(line, epoch, batch, batches, loss, accuracy, elapsed);
            out.println(line);
        }
        out.flush();
    }

    private void progress(StringBuilder sb, int epoch, int batch, int batches, double loss, double accuracy,
                          long elapsed) {
        int filled = (int) ((long) batch * BAR / batches);
        sb.append("Epoch ").append(epoch).append('/').append(epochs).append(' ')
                .append(batch).append('/').append(batches).append(" [");
        for (int i = 0; i < BAR; i++) {
            sb.append(i < filled ? '=' : i == filled ? '>' : '.');
        }
        long eta = elapsed / batch * (batches - batch);
        sb.append("] - ETA ");
        Format.duration(sb, java.time.Duration.ofNanos(eta));
        sb.append(" - loss: ");
        Format.fixed4(sb, loss);
        sb.append(" - ").append(metric).append(": ");
        Format.fixed4(sb, accuracy);
    }

    /**
     * Names the metric the progress bar shows beside the loss (default {@code accuracy}).
     *
     * @param name {@code accuracy}, or {@code mae} for a regression
     * @return this printer
     */
    public ProgressPrinter metric(String name) {
        this.metric = Objects.requireNonNull(name, "name");
        return this;
    }
}

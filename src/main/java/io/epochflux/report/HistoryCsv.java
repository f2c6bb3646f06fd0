package io.epochflux.report;

import io.epochflux.internal.AtomicFiles;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.History;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A history as CSV, one row per epoch: {@code epoch,loss,accuracy,val_loss,val_accuracy}, then
 * any other metric the run had. Values keep full double precision; a missing value is an empty
 * cell; NaN and infinities are written as Java spells them. Written atomically.
 */
public final class HistoryCsv {

    /** The columns every history file starts with. */
    public static final List<String> STANDARD_COLUMNS = List.of("epoch", "loss", "accuracy", "val_loss", "val_accuracy");

    /** The columns a regression's history file starts with: {@code mae} in place of accuracy. */
    public static final List<String> REGRESSION_COLUMNS = List.of("epoch", "loss", "mae", "val_loss", "val_mae");

    /** The standard columns after {@code epoch}: a regression's when the epochs carry {@code mae} and no accuracy. */
    private static List<String> standard(java.util.Collection<String> names) {
        List<String> columns = names.contains("mae") && !names.contains("accuracy") ? REGRESSION_COLUMNS : STANDARD_COLUMNS;
        return columns.subList(1, columns.size());
    }

    private HistoryCsv() {
    }

    /**
     * Writes a history.
     *
     * @param file the target, replaced only when the whole file is written
     * @param history the epochs
     * @throws IOException when writing fails
     */
    public static void write(Path file, History history) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(history, "history");
        Set<String> metrics = new LinkedHashSet<>(standard(history.metricNames()));
        metrics.addAll(history.metricNames());
        AtomicFiles.write(file, raw -> {
            Writer w = new OutputStreamWriter(raw, StandardCharsets.UTF_8);
            w.write("epoch");
            for (String m : metrics) {
                w.write(',');
                w.write(m);
            }
            w.write('\n');
            StringBuilder row = new StringBuilder(128);
            for (EpochMetrics e : history.epochs()) {
                row.setLength(0);
                row.append(e.epoch());
                for (String m : metrics) {
                    row.append(',');
                    e.value(m).ifPresent(row::append);
                }
                w.write(row.append('\n').toString());
            }
            w.flush();
        });
    }

    /**
     * Starts a history file that grows epoch by epoch, as Keras' {@code CSVLogger} writes one:
     * each epoch's row is appended and flushed to the operating system as the epoch arrives, so a
     * run killed at any moment leaves every finished epoch in the file. The columns are the standard
     * five ({@link #REGRESSION_COLUMNS} for a regression), then the further values of the first epoch in their order ({@code learning_rate}, ...).
     *
     * @param file the file, replaced by a new one holding no rows yet
     * @return the appender; close it to sync the file to disk
     * @throws IOException when the file cannot be created
     */
    public static Appender append(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        return new Appender(file);
    }

    /** Appends epochs to a history file; used by one thread at a time. */
    public static final class Appender implements AutoCloseable {
        private final java.nio.channels.FileChannel channel;
        private List<String> columns;
        private final StringBuilder row = new StringBuilder(128);

        private Appender(Path file) throws IOException {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
        }

        /**
         * Appends one epoch's row (the header first, with the first epoch).
         *
         * @param epoch the epoch
         * @throws IOException when writing fails
         */
        public void append(EpochMetrics epoch) throws IOException {
            Objects.requireNonNull(epoch, "epoch");
            row.setLength(0);
            if (columns == null) {
                Set<String> metrics = new LinkedHashSet<>(standard(epoch.values().keySet()));
                metrics.addAll(epoch.values().keySet());
                columns = List.copyOf(metrics);
                row.append("epoch");
                for (String m : columns) {
                    row.append(',').append(m);
                }
                row.append('\n');
            }
            row.append(epoch.epoch());
            for (String m : columns) {
                row.append(',');
                epoch.value(m).ifPresent(row::append);
            }
            row.append('\n');
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(row.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes); // one write a row: the OS has it at once, a killed process loses nothing
            }
        }

        /**
         * Writes the header alone if no epoch came, syncs the file to disk and closes it.
         *
         * @throws IOException when syncing fails
         */
        @Override
        public void close() throws IOException {
            if (!channel.isOpen()) {
                return;
            }
            try {
                if (columns == null) {
                    columns = STANDARD_COLUMNS.subList(1, STANDARD_COLUMNS.size());
                    channel.write(java.nio.ByteBuffer.wrap((String.join(",", STANDARD_COLUMNS) + "\n")
                            .getBytes(StandardCharsets.UTF_8)));
                }
                channel.force(true);
            } finally {
                channel.close();
            }
        }
    }

    /**
     * Reads a file written by {@link #write}.
     *
     * @param file the CSV file
     * @return the epochs, without durations or snapshots
     * @throws IOException when the file cannot be read or is not such a file
     */
    public static History read(Path file) throws IOException {
        List<EpochMetrics> epochs = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null || !header.startsWith("epoch,")) {
                throw new IOException(file + ": not a history file: the first line must start with 'epoch,', but was '"
                        + header + "'");
            }
            String[] columns = header.split(",", -1);
            String line;
            int number = 1;
            while ((line = r.readLine()) != null) {
                number++;
                String[] cells = line.split(",", -1);
                if (cells.length != columns.length) {
                    throw new IOException(file + ": line " + number + " must have " + columns.length + " cells, but has "
                            + cells.length);
                }
                Map<String, Double> values = new LinkedHashMap<>();
                for (int i = 1; i < cells.length; i++) {
                    if (!cells[i].isEmpty()) {
                        values.put(columns[i], Double.parseDouble(cells[i]));
                    }
                }
                epochs.add(EpochMetrics.of(Integer.parseInt(cells[0]), values));
            }
        } catch (NumberFormatException e) {
            throw new IOException(file + ": not a number: " + e.getMessage(), e);
        }
        return History.of(epochs);
    }
}

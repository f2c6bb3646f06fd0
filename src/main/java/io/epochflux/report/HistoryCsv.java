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
        Set<String> metrics = new LinkedHashSet<>(STANDARD_COLUMNS.subList(1, STANDARD_COLUMNS.size()));
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

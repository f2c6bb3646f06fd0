package io.epochflux.data;

import io.epochflux.internal.MemoryBudget;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Reads a CSV file into a {@link Table}: every column but the label is a numeric feature, and the
 * label column holds the class ({@link Task#CLASSIFICATION}) or the number to predict
 * ({@link Task#REGRESSION}).
 *
 * <pre>{@code
 * Table iris = CsvTable.builder("species").build().read(Path.of("iris.csv"));
 * Table diabetes = CsvTable.builder("progression").task(Task.REGRESSION).build().read(Path.of("diabetes.csv"));
 * }</pre>
 *
 * <p>The file is UTF-8 (a byte-order mark is skipped) in RFC 4180's format, written by this small
 * parser rather than a library: a header row of unique, non-empty column names, then one record
 * per row, fields separated by commas and records by CRLF or LF (or a lone CR; a trailing line
 * break is optional). A field in double quotes may hold commas, line breaks and doubled quotes
 * ({@code "say ""hi"""}); a quote anywhere else is refused. Empty lines are skipped. Spaces and
 * tabs around a value are not part of it, so {@code " 5.1"} is 5.1 and {@code "setosa "} is
 * {@code setosa}.
 *
 * <p>A number is written in decimal, with an optional sign, fraction and exponent ({@code -1},
 * {@code 2.5}, {@code .5}, {@code 1e-3}), and read as the nearest float32. A value is
 * <em>missing</em> when it is empty or one of {@code NA}, {@code N/A}, {@code NaN} (in any case);
 * it is <em>non-finite</em> when it is {@code inf} or {@code infinity} (signed, in any case) or
 * beyond float32's range. What happens to a row with a missing or non-finite feature or label is
 * the {@link MissingValues} policy; any other text where a number belongs is always refused.
 *
 * <p>Classes: every distinct label is a class. When every label is an integer the classes are
 * numbered in ascending numeric order ({@code 0, 1, 2}; {@code 07} and {@code 7} are one class,
 * named {@code 7}), otherwise in {@link String#compareTo} order of the labels as written
 * ({@code setosa, versicolor, virginica}); {@link Table#classNames()} lists them in that order,
 * and the targets are one-hot. A label column with a single class is refused.
 *
 * <p>A bad file fails with a {@link CsvFormatException} whose one-line message names the file,
 * the line in the file (the header is line 1; a quoted line break makes a record span lines, and
 * the record's first line is given), the data row (the header is not one), the column, the rule
 * and what was found. Before reading, the file's size is checked against the heap (with the
 * margin {@link MemoryBudget} keeps for training): every number needs at least two characters, a
 * digit and a separator, so a file of {@code B} bytes may hold {@code B / 2} numbers, and reading
 * holds them twice as float32 at its peak ({@code 4 x B} bytes). A file that might not fit is
 * refused unread, with the figures. The one-hot targets are checked the same way, with their exact
 * size, before they are made.
 *
 * <p>A reader is immutable: one can read many files, from many threads.
 */
public final class CsvTable {

    /** What happens to a data row with a missing or non-finite value in its features or label. */
    public enum MissingValues {
        /** The file is refused, naming the first such value's line, row and column. The default. */
        FAIL,
        /**
         * The row is left out and counted in {@link Table#droppedRows()}. A row with text where a
         * number belongs, or with the wrong number of fields, still fails the file.
         */
        DROP_ROW
    }

    /** The longest array a JVM reliably allocates. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 16;
    /** The most header names a message lists. */
    private static final int LISTED_COLUMNS = 50;

    private final String labelColumn;
    private final Task task;
    private final MissingValues missingValues;

    private CsvTable(Builder builder) {
        this.labelColumn = builder.labelColumn;
        this.task = builder.task;
        this.missingValues = builder.missingValues;
    }

    /**
     * Starts a reader for files whose label column has the given name.
     *
     * @param labelColumn the label column's name in the header, compared after stripping
     *        surrounding spaces as the header's names are; not blank
     * @return a builder with the defaults: {@link Task#CLASSIFICATION}, {@link MissingValues#FAIL}
     */
    public static Builder builder(String labelColumn) {
        Objects.requireNonNull(labelColumn, "labelColumn");
        if (labelColumn.isBlank()) {
            throw new IllegalArgumentException("labelColumn must not be blank, but was \"" + labelColumn + "\"");
        }
        return new Builder(labelColumn.strip());
    }

    /**
     * Returns the label column's name.
     *
     * @return the name, stripped of surrounding spaces
     */
    public String labelColumn() {
        return labelColumn;
    }

    /**
     * Returns what the label column holds.
     *
     * @return classes or numbers to predict
     */
    public Task task() {
        return task;
    }

    /**
     * Returns what happens to a row with a missing or non-finite value.
     *
     * @return the policy
     */
    public MissingValues missingValues() {
        return missingValues;
    }

    /**
     * Reads a file. The dataset is named by the file's name ({@code iris.csv}).
     *
     * @param file a UTF-8 CSV file with a header row
     * @return the table
     * @throws CsvFormatException when the file is not a table this reader accepts, or may not fit
     *         the heap
     * @throws IOException when it cannot be read
     */
    public Table read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        String source = file.toString();
        try {
            checkFileFits(source, Files.size(file));
            try (InputStream bytes = Files.newInputStream(file)) {
                Path name = file.getFileName();
                return read(new CsvRecords(bytes, source), source, name == null ? source : name.toString());
            }
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(source, null, "no such CSV file");
        } catch (FileSystemException e) {
            throw Idx.withReason(file, e);
        } catch (CsvFormatException e) {
            throw e;
        } catch (IOException e) {
            // "Is a directory", "Input/output error": the OS says why but not which file
            throw new IOException(source + ": " + e.getMessage(), e);
        }
    }

    private static void checkFileFits(String source, long length) throws CsvFormatException {
        long numbers = length / 2 + 1;
        long needed = MemoryBudget.product(numbers, 2L * Float.BYTES);
        long free = MemoryBudget.free(needed);
        if (needed > free) {
            throw new CsvFormatException(source, String.format(Locale.ROOT,
                    "a file of %s may hold up to %,d numbers = %s as float32 with the copy reading makes, "
                            + "but the heap has %s free (keeping %s for training); raise -Xmx or use fewer rows",
                    MemoryBudget.bytes(length), numbers, MemoryBudget.bytes(needed), MemoryBudget.bytes(free),
                    MemoryBudget.bytes(MemoryBudget.margin())));
        }
    }

    private Table read(CsvRecords records, String source, String name) throws IOException {
        if (!records.next()) {
            throw new CsvFormatException(source, "must start with a header row, but the file is empty");
        }
        List<String> header = header(records, source);
        int labelIndex = header.indexOf(labelColumn);
        int width = header.size();
        int featureCount = width - 1;
        List<String> featureNames = new ArrayList<>(header);
        featureNames.remove(labelIndex);
        records.names(header);

        Floats features = new Floats();
        Floats targets = new Floats();
        Map<String, Integer> labelIds = new HashMap<>();
        List<String> labels = new ArrayList<>();
        int[] ids = new int[1024];
        float[] row = new float[featureCount];
        int rows = 0;
        int dropped = 0;
        while (records.next()) {
            List<String> fields = records.fields();
            if (fields.size() != width) {
                throw ragged(records, header, fields.size());
            }
            boolean missing = false;
            int k = 0;
            for (int j = 0; j < width; j++) {
                if (j != labelIndex) {
                    float v = number(records, j, fields.get(j), "");
                    missing |= Float.isNaN(v);
                    row[k++] = v;
                }
            }
            String label = fields.get(labelIndex).strip();
            float target = 0;
            if (task == Task.REGRESSION) {
                target = number(records, labelIndex, label, " for a REGRESSION target");
                missing |= Float.isNaN(target);
            } else if (isMissing(label)) {
                missing |= refuseUnlessDropped(records, labelIndex, "must have a value", label);
            }
            if (missing) {
                dropped++;
                continue;
            }
            if (features.count() > MAX_ARRAY - featureCount) {
                throw records.error(String.format(Locale.ROOT, "must fit one array of at most %,d numbers with the "
                        + "rows before it, but %,d rows of %,d features do not; use fewer rows", MAX_ARRAY, rows + 1,
                        featureCount));
            }
            features.add(row);
            if (task == Task.REGRESSION) {
                targets.add(target);
            } else {
                Integer id = labelIds.get(label);
                if (id == null) {
                    id = labels.size();
                    labelIds.put(label, id);
                    labels.add(label);
                    if (Integer.bitCount(labels.size()) == 1 && labels.size() >= 1024) {
                        // a class per row or so would build a map the one-hot targets could never fit
                        checkOneHotFits(source, header.get(labelIndex), rows + 1L, labels.size(), "at least ");
                    }
                }
                if (rows == ids.length) {
                    ids = Arrays.copyOf(ids, (int) Math.min(MAX_ARRAY, 2L * ids.length));
                }
                ids[rows] = id;
            }
            rows++;
        }
        if (rows == 0) {
            throw new CsvFormatException(source, dropped == 0
                    ? "must have at least one data row after the header, but has none"
                    : "must have at least one data row left, but all " + dropped + " were dropped for a missing or "
                            + "non-finite value (MissingValues.DROP_ROW)");
        }
        checkFits(source, MemoryBudget.product(rows, featureCount, Float.BYTES), String.format(Locale.ROOT,
                "the features of %,d rows x %,d columns", rows, featureCount), "raise -Xmx or use fewer rows");
        float[] x = features.toArray();
        if (task == Task.REGRESSION) {
            Dataset data = Dataset.wrap(name, Task.REGRESSION, rows, featureCount, 1, x, targets.toArray());
            return new Table(data, featureNames, labelColumn, List.of(), dropped);
        }
        return classification(source, name, header.get(labelIndex), x, rows, featureCount, featureNames, labels, ids,
                dropped);
    }

    private Table classification(String source, String name, String column, float[] x, int rows, int featureCount,
                                 List<String> featureNames, List<String> labels, int[] ids, int dropped)
            throws CsvFormatException {
        // the classes' order: numeric when every label is an integer, else the labels' own order
        int[] classOfLabel = new int[labels.size()];
        List<String> classNames = new ArrayList<>();
        if (labels.stream().allMatch(CsvTable::isInteger)) {
            TreeMap<BigInteger, List<Integer>> byValue = new TreeMap<>();
            for (int i = 0; i < labels.size(); i++) {
                byValue.computeIfAbsent(new BigInteger(labels.get(i)), v -> new ArrayList<>()).add(i);
            }
            byValue.forEach((value, spellings) -> {
                spellings.forEach(i -> classOfLabel[i] = classNames.size());
                classNames.add(value.toString());
            });
        } else {
            TreeMap<String, Integer> byName = new TreeMap<>();
            for (int i = 0; i < labels.size(); i++) {
                byName.put(labels.get(i), i);
            }
            byName.forEach((label, i) -> {
                classOfLabel[i] = classNames.size();
                classNames.add(label);
            });
        }
        int classes = classNames.size();
        if (classes < 2) {
            throw new CsvFormatException(source, "column \"" + column + "\" must have at least 2 classes, but every "
                    + "data row has " + CsvRecords.show(classNames.get(0)));
        }
        checkOneHotFits(source, column, rows, classes, "");
        float[] y = new float[rows * classes];
        for (int i = 0; i < rows; i++) {
            y[i * classes + classOfLabel[ids[i]]] = 1f;
        }
        Dataset data = Dataset.wrap(name, Task.CLASSIFICATION, rows, featureCount, classes, x, y);
        return new Table(data, featureNames, labelColumn, classNames, dropped);
    }

    private List<String> header(CsvRecords records, String source) throws CsvFormatException {
        List<String> header = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String raw : records.fields()) {
            String name = raw.strip();
            int column = header.size() + 1;
            if (name.isEmpty()) {
                throw records.error(column - 1, "must have a name, but was empty");
            }
            Integer before = seen.putIfAbsent(name, column);
            if (before != null) {
                throw records.error(column - 1, "must have a name no other column has, but was \"" + name
                        + "\" like column " + before);
            }
            header.add(name);
        }
        if (!seen.containsKey(labelColumn)) {
            throw records.error("must have the label column \"" + labelColumn + "\", but has " + list(header));
        }
        if (header.size() < 2) {
            throw records.error("must have at least one feature column beside the label column \"" + labelColumn
                    + "\", but has only that one");
        }
        return header;
    }

    private static String list(List<String> names) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(names.size(), LISTED_COLUMNS); i++) {
            s.append(i == 0 ? "" : ", ").append('"').append(names.get(i)).append('"');
        }
        if (names.size() > LISTED_COLUMNS) {
            s.append(" and ").append(names.size() - LISTED_COLUMNS).append(" more");
        }
        return s.toString();
    }

    private static CsvFormatException ragged(CsvRecords records, List<String> header, int found) {
        String which = found < header.size()
                ? "nothing for " + records.column(found) + (found + 1 < header.size() ? " and after" : "")
                : "a field past the last column \"" + header.get(header.size() - 1) + "\"";
        return records.error("must have " + header.size() + " fields like the header, but has " + found + ": " + which);
    }

    /**
     * Reads a number; NaN stands for a missing or non-finite value the policy drops. Text is
     * refused whatever the policy.
     */
    private float number(CsvRecords records, int column, String raw, String purpose) throws CsvFormatException {
        String value = raw.strip();
        if (isMissing(value)) {
            refuseUnlessDropped(records, column, "must have a value", value);
            return Float.NaN;
        }
        if (isInfinity(value)) {
            refuseUnlessDropped(records, column, "must be a finite number", value);
            return Float.NaN;
        }
        if (!isDecimal(value)) {
            throw records.error(column, "must be a number" + purpose + ", but was " + CsvRecords.show(value));
        }
        float v = Float.parseFloat(value);
        if (Float.isInfinite(v)) {
            refuseUnlessDropped(records, column, "must be a finite number (float32 reaches 3.4e38)", value);
            return Float.NaN;
        }
        return v;
    }

    /** Refuses the value under {@link MissingValues#FAIL}; under {@code DROP_ROW} returns true: drop the row. */
    private boolean refuseUnlessDropped(CsvRecords records, int column, String rule, String value)
            throws CsvFormatException {
        if (missingValues == MissingValues.FAIL) {
            throw records.error(column, rule + ", but was "
                    + (value.isEmpty() ? "empty" : CsvRecords.show(value))
                    + "; MissingValues.DROP_ROW would drop the row instead");
        }
        return true;
    }

    private static void checkOneHotFits(String source, String column, long rows, int classes, String atLeast)
            throws CsvFormatException {
        long values = MemoryBudget.product(rows, classes);
        String what = String.format(Locale.ROOT, "column \"%s\" has %s%,d classes in %,d data rows: their one-hot "
                + "targets", column, atLeast, classes, rows);
        String remedy = "if the label is a number to predict, read it with task(Task.REGRESSION)";
        if (values > MAX_ARRAY) {
            throw new CsvFormatException(source, String.format(Locale.ROOT, "%s must fit one array of at most %,d "
                    + "numbers, but are %,d; %s", what, MAX_ARRAY, values, remedy));
        }
        checkFits(source, MemoryBudget.product(values, Float.BYTES), what, "raise -Xmx, or " + remedy);
    }

    private static void checkFits(String source, long bytes, String what, String remedy) throws CsvFormatException {
        long free = MemoryBudget.free(bytes);
        if (bytes > free) {
            throw new CsvFormatException(source, String.format(Locale.ROOT, "%s need %s as float32, but the heap has "
                    + "%s free (keeping %s for training); %s", what, MemoryBudget.bytes(bytes),
                    MemoryBudget.bytes(free), MemoryBudget.bytes(MemoryBudget.margin()), remedy));
        }
    }

    private static boolean isMissing(String value) {
        return value.isEmpty() || value.equalsIgnoreCase("NA") || value.equalsIgnoreCase("N/A")
                || value.equalsIgnoreCase("NaN");
    }

    private static boolean isInfinity(String value) {
        String unsigned = value.startsWith("+") || value.startsWith("-") ? value.substring(1) : value;
        return unsigned.equalsIgnoreCase("inf") || unsigned.equalsIgnoreCase("infinity");
    }

    /** {@code [+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?}: what {@link Float#parseFloat} reads, less hex and suffixes. */
    private static boolean isDecimal(String s) {
        int n = s.length();
        int i = s.startsWith("+") || s.startsWith("-") ? 1 : 0;
        int digits = 0;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
            digits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int exponent = 0;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                exponent++;
            }
            if (exponent == 0) {
                return false;
            }
        }
        return i == n;
    }

    private static boolean isInteger(String s) {
        int i = s.startsWith("+") || s.startsWith("-") ? 1 : 0;
        if (i == s.length()) {
            return false;
        }
        for (; i < s.length(); i++) {
            if (!isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    @Override
    public String toString() {
        return "CsvTable[label=" + labelColumn + ", " + task + ", " + missingValues + "]";
    }

    /** Builds a {@link CsvTable}; every setting but the label column has a default. */
    public static final class Builder {

        private final String labelColumn;
        private Task task = Task.CLASSIFICATION;
        private MissingValues missingValues = MissingValues.FAIL;

        private Builder(String labelColumn) {
            this.labelColumn = labelColumn;
        }

        /**
         * Sets what the label column holds. It is never guessed from the values: a column of
         * integers is read as classes unless this says {@link Task#REGRESSION}.
         *
         * @param task {@link Task#CLASSIFICATION} (the default): the labels are classes, text or
         *        integers; {@link Task#REGRESSION}: the label is a finite number, the one target
         * @return this builder
         */
        public Builder task(Task task) {
            this.task = Objects.requireNonNull(task, "task");
            return this;
        }

        /**
         * Sets what happens to a row with a missing or non-finite value.
         *
         * @param missingValues {@link MissingValues#FAIL} (the default) or {@link MissingValues#DROP_ROW}
         * @return this builder
         */
        public Builder missingValues(MissingValues missingValues) {
            this.missingValues = Objects.requireNonNull(missingValues, "missingValues");
            return this;
        }

        /**
         * Builds the reader.
         *
         * @return an immutable reader with these settings
         */
        public CsvTable build() {
            return new CsvTable(this);
        }
    }

    /** Float32 values in blocks, so that growing never copies: the one copy is {@link #toArray()}. */
    private static final class Floats {

        private static final int BLOCK = 1 << 16;

        private final List<float[]> blocks = new ArrayList<>();
        private float[] current;
        private int used = BLOCK;
        private long count;

        void add(float value) {
            if (used == BLOCK) {
                current = new float[BLOCK];
                blocks.add(current);
                used = 0;
            }
            current[used++] = value;
            count++;
        }

        void add(float[] values) {
            for (float v : values) {
                add(v);
            }
        }

        long count() {
            return count;
        }

        float[] toArray() {
            float[] all = new float[(int) count];
            int at = 0;
            for (float[] block : blocks) {
                int n = (int) Math.min(BLOCK, count - at);
                System.arraycopy(block, 0, all, at, n);
                at += n;
            }
            return all;
        }
    }
}

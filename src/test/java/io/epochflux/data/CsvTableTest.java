package io.epochflux.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvTableTest {

    private static final CsvTable LABEL = CsvTable.builder("label").build();
    private static final CsvTable LABEL_DROP = CsvTable.builder("label")
            .missingValues(CsvTable.MissingValues.DROP_ROW).build();
    private static final CsvTable TARGET = CsvTable.builder("y").task(Task.REGRESSION).build();

    @TempDir
    Path dir;

    static Path tabular(String name) {
        try {
            return Path.of(CsvTableTest.class.getResource("/tabular/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path write(String content) throws IOException {
        return write(content.getBytes(StandardCharsets.UTF_8));
    }

    private Path write(byte[] content) throws IOException {
        Path file = dir.resolve("t.csv");
        Files.write(file, content);
        return file;
    }

    /** The message a bad file fails with, less the file's name and colon that every message starts with. */
    private String failure(CsvTable reader, String content) throws IOException {
        Path file = write(content);
        CsvFormatException e = assertThrows(CsvFormatException.class, () -> reader.read(file));
        assertEquals(file.toString(), e.source());
        String prefix = file + ": ";
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
        assertTrue(!e.getMessage().contains("\n") && !e.getMessage().contains("\r"), "one line: " + e.getMessage());
        return e.getMessage().substring(prefix.length());
    }

    private static int[] classCounts(Dataset d) {
        int[] counts = new int[d.labelCount()];
        for (int i = 0; i < d.size(); i++) {
            counts[d.classOf(i)]++;
        }
        return counts;
    }

    // the four real tables

    @Test
    void bundledTablesAreTheFilesTheProvenanceNoteDescribes() throws IOException, NoSuchAlgorithmException {
        String note = Files.readString(tabular("README.md"));
        Matcher line = Pattern.compile("([0-9a-f]{64})  (\\w+\\.csv)").matcher(note);
        int checked = 0;
        while (line.find()) {
            byte[] bytes = Files.readAllBytes(tabular(line.group(2)));
            assertEquals(line.group(1), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)),
                    line.group(2));
            checked++;
        }
        assertEquals(4, checked);
    }

    @Test
    void readsIrisAsThreeClassesInNameOrder() throws IOException {
        Table iris = CsvTable.builder("species").build().read(tabular("iris.csv"));
        Dataset d = iris.dataset();
        assertEquals("iris.csv", d.name());
        assertEquals(Task.CLASSIFICATION, iris.task());
        assertEquals(150, d.size());
        assertEquals(4, d.featureCount());
        assertEquals(List.of("sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"),
                iris.featureNames());
        assertEquals("species", iris.labelName());
        assertEquals(List.of("setosa", "versicolor", "virginica"), iris.classNames());
        assertEquals(0, iris.droppedRows());
        assertArrayEquals(new int[] {50, 50, 50}, classCounts(d));
        float[] x = d.featureArray();
        assertArrayEquals(new float[] {5.1f, 3.5f, 1.4f, 0.2f}, java.util.Arrays.copyOf(x, 4));
        assertArrayEquals(new float[] {1, 0, 0}, java.util.Arrays.copyOf(d.labelArray(), 3));
        assertEquals(2, d.classOf(149), "the file ends with virginica");
    }

    @Test
    void readsWineWithIntegerLabelsInNumericOrder() throws IOException {
        Table wine = CsvTable.builder("cultivar").build().read(tabular("wine.csv"));
        assertEquals(178, wine.dataset().size());
        assertEquals(13, wine.dataset().featureCount());
        assertEquals(List.of("0", "1", "2"), wine.classNames());
        assertArrayEquals(new int[] {59, 71, 48}, classCounts(wine.dataset()));
        assertEquals("alcohol", wine.featureNames().get(0));
        assertEquals("proline", wine.featureNames().get(12));
    }

    @Test
    void readsBreastCancerWithSpacesInItsColumnNames() throws IOException {
        Table cancer = CsvTable.builder("diagnosis").build().read(tabular("breast_cancer.csv"));
        assertEquals(569, cancer.dataset().size());
        assertEquals(30, cancer.dataset().featureCount());
        assertEquals("mean radius", cancer.featureNames().get(0));
        assertEquals("worst fractal dimension", cancer.featureNames().get(29));
        assertEquals(List.of("benign", "malignant"), cancer.classNames());
        assertArrayEquals(new int[] {357, 212}, classCounts(cancer.dataset()));
    }

    @Test
    void readsDiabetesAsRegressionWithItsTargetUnchanged() throws IOException {
        Table diabetes = CsvTable.builder("progression").task(Task.REGRESSION).build().read(tabular("diabetes.csv"));
        Dataset d = diabetes.dataset();
        assertEquals(Task.REGRESSION, d.task());
        assertEquals(442, d.size());
        assertEquals(10, d.featureCount());
        assertEquals(1, d.labelCount());
        assertEquals(List.of(), diabetes.classNames());
        assertEquals(List.of("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"), diabetes.featureNames());
        float[] y = d.labelArray();
        assertEquals(151f, y[0]);
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : y) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(25f, min);
        assertEquals(346f, max);
        assertArrayEquals(new float[] {59, 2, 32.1f, 101, 157, 93.2f, 38, 4, 4.8598f, 87},
                java.util.Arrays.copyOf(d.featureArray(), 10));
    }

    @Test
    void aNumericLabelIsReadAsClassesUnlessTheTaskSaysRegression() throws IOException {
        Table guessedNothing = CsvTable.builder("progression").build().read(tabular("diabetes.csv"));
        assertEquals(Task.CLASSIFICATION, guessedNothing.task());
        assertEquals("25", guessedNothing.classNames().get(0));
        assertEquals("346", guessedNothing.classNames().get(guessedNothing.classNames().size() - 1));
    }

    // RFC 4180

    @Test
    void quotedFieldsHoldCommasDoubledQuotesAndLineBreaks() throws IOException {
        Table t = LABEL.read(write("\"x, with comma\",\"say \"\"hi\"\"\",label\r\n"
                + "\"1.5\",2,\"two\r\nlines\"\r\n"
                + "3,\"-4e1\",\"a \"\"quoted\"\" class\"\r\n"
                + "5,6,\"\"\"\"\n"));
        assertEquals(List.of("x, with comma", "say \"hi\""), t.featureNames());
        assertArrayEquals(new float[] {1.5f, 2, 3, -40, 5, 6}, t.dataset().featureArray());
        assertEquals(List.of("\"", "a \"quoted\" class", "two\r\nlines"), t.classNames());
        assertEquals(List.of(2, 1, 0), List.of(t.dataset().classOf(0), t.dataset().classOf(1), t.dataset().classOf(2)));
    }

    @Test
    void linesAreCountedAcrossQuotedLineBreaks() throws IOException {
        assertEquals("line 5 (data row 2), column \"a\" must be a number, but was \"x\"",
                failure(LABEL, "a,label\n1,\"first\nsecond\"\n\nx,b\n"));
    }

    @Test
    void acceptsLfCrlfAByteOrderMarkAndNoTrailingLineBreak() throws IOException {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] text = "a,label\r\n1,p\n2,q".getBytes(StandardCharsets.UTF_8);
        byte[] both = new byte[bom.length + text.length];
        System.arraycopy(bom, 0, both, 0, 3);
        System.arraycopy(text, 0, both, 3, text.length);
        Table t = LABEL.read(write(both));
        assertEquals(List.of("a"), t.featureNames(), "the mark is not part of the first name");
        assertArrayEquals(new float[] {1, 2}, t.dataset().featureArray());
        assertEquals(List.of("p", "q"), t.classNames());
    }

    @Test
    void acceptsALoneCrAsALineBreak() throws IOException {
        Table t = LABEL.read(write("a,label\r1,p\r2,\"q\rr\"\r"));
        assertArrayEquals(new float[] {1, 2}, t.dataset().featureArray());
        assertEquals(List.of("p", "q\rr"), t.classNames());
        assertEquals("line 4 (data row 2), column \"a\" must be a number, but was \"x\"",
                failure(LABEL, "a,label\r\"1\r\",p\rx,q\r"));
    }

    @Test
    void skipsEmptyLinesAndStripsSpacesAroundValues() throws IOException {
        Table t = LABEL.read(write("\n a , label \n\n 1.5 ,setosa \r\n\r\n\t2,\" virginica\"\n\n\n"));
        assertEquals(List.of("a"), t.featureNames());
        assertEquals("label", t.labelName());
        assertArrayEquals(new float[] {1.5f, 2}, t.dataset().featureArray());
        assertEquals(List.of("setosa", "virginica"), t.classNames());
    }

    @Test
    void integerLabelsAreOrderedByValueAndOneSpellingPerValue() throws IOException {
        Table t = LABEL.read(write("a,label\n1,10\n2,9\n3,-1\n4,2\n5,07\n6,7\n7,+2\n"));
        assertEquals(List.of("-1", "2", "7", "9", "10"), t.classNames());
        int[] classes = new int[7];
        for (int i = 0; i < 7; i++) {
            classes[i] = t.dataset().classOf(i);
        }
        assertArrayEquals(new int[] {4, 3, 0, 1, 2, 2, 1}, classes);
    }

    @Test
    void textLabelsAreOrderedByStringCompareTo() throws IOException {
        Table t = LABEL.read(write("a,label\n1,b\n2,a\n3,B\n4,10\n5,9\n"));
        assertEquals(List.of("10", "9", "B", "a", "b"), t.classNames(), "not all integers: text order, 10 before 9");
    }

    @Test
    void oneHotTargetsFollowTheClassOrder() throws IOException {
        Table t = LABEL.read(write("a,label\n1,z\n2,y\n"));
        assertArrayEquals(new float[] {0, 1, 1, 0}, t.dataset().labelArray());
    }

    // bad files: each names the line, the data row, the column and the rule

    @Test
    void refusesAShortRow() throws IOException {
        assertEquals("line 3 (data row 2) must have 3 fields like the header, but has 2: nothing for column \"label\"",
                failure(LABEL, "a,b,label\n1,2,x\n3,4\n"));
        assertEquals("line 2 (data row 1) must have 3 fields like the header, but has 1: nothing for column \"b\" "
                + "and after", failure(LABEL, "a,b,label\n1\n"));
    }

    @Test
    void refusesALongRow() throws IOException {
        assertEquals("line 2 (data row 1) must have 2 fields like the header, but has 3: a field past the last "
                + "column \"label\"", failure(LABEL, "a,label\n1,x,\n"));
    }

    @Test
    void refusesTextInAFeatureColumn() throws IOException {
        assertEquals("line 3 (data row 2), column \"b\" must be a number, but was \"abc\"",
                failure(LABEL, "a,b,label\n1,2,x\n3,abc,y\n"));
        assertEquals("line 2 (data row 1), column \"a\" must be a number, but was \"0x1p3\"",
                failure(LABEL, "a,label\n0x1p3,x\n"), "no hexadecimal, though Float.parseFloat reads it");
        assertEquals("line 2 (data row 1), column \"a\" must be a number, but was \"1f\"",
                failure(LABEL, "a,label\n1f,x\n"), "no type suffix, though Float.parseFloat reads it");
        assertEquals("line 2 (data row 1), column \"a\" must be a number, but was \"1e\"",
                failure(LABEL, "a,label\n1e,x\n"));
    }

    @Test
    void refusesTextAsARegressionTarget() throws IOException {
        assertEquals("line 2 (data row 1), column \"y\" must be a number for a REGRESSION target, but was \"setosa\"",
                failure(TARGET, "a,y\n1,setosa\n"));
    }

    @Test
    void refusesAnEmptyFile() throws IOException {
        assertEquals("must start with a header row, but the file is empty", failure(LABEL, ""));
        assertEquals("must start with a header row, but the file is empty", failure(LABEL, "\n\r\n"));
    }

    @Test
    void refusesAHeaderWithoutDataRows() throws IOException {
        assertEquals("must have at least one data row after the header, but has none", failure(LABEL, "a,label\n\n"));
    }

    @Test
    void refusesAHeaderWithoutTheLabelColumnListingItsColumns() throws IOException {
        assertEquals("line 1 (the header) must have the label column \"label\", but has \"a\", \"b\", \"species\"",
                failure(LABEL, "a,b,species\n1,2,x\n"));
    }

    @Test
    void refusesAHeaderWithOnlyTheLabelColumn() throws IOException {
        assertEquals("line 1 (the header) must have at least one feature column beside the label column \"label\", "
                + "but has only that one", failure(LABEL, "label\nx\n"));
    }

    @Test
    void refusesDuplicateColumnNames() throws IOException {
        assertEquals("line 1 (the header), column 3 must have a name no other column has, but was \"a\" like column 1",
                failure(LABEL, "a,b, a ,label\n1,2,3,x\n"));
    }

    @Test
    void refusesAnEmptyColumnName() throws IOException {
        assertEquals("line 1 (the header), column 2 must have a name, but was empty", failure(LABEL, "a,,label\n1,2,x\n"));
    }

    @Test
    void refusesASingleClass() throws IOException {
        assertEquals("column \"label\" must have at least 2 classes, but every data row has \"setosa\"",
                failure(LABEL, "a,label\n1,setosa\n2,setosa\n"));
        assertEquals("column \"label\" must have at least 2 classes, but every data row has \"1\"",
                failure(LABEL, "a,label\n1,1\n2,01\n"), "one integer, spelled two ways");
    }

    @Test
    void refusesAMissingFeatureUnderFail() throws IOException {
        String drop = "; MissingValues.DROP_ROW would drop the row instead";
        assertEquals("line 3 (data row 2), column \"b\" must have a value, but was empty" + drop,
                failure(LABEL, "a,b,label\n1,2,x\n3,,y\n"));
        assertEquals("line 2 (data row 1), column \"a\" must have a value, but was \"NA\"" + drop,
                failure(LABEL, "a,label\nNA,x\n"));
        assertEquals("line 2 (data row 1), column \"a\" must have a value, but was \"nan\"" + drop,
                failure(LABEL, "a,label\nnan,x\n"));
        assertEquals("line 2 (data row 1), column \"a\" must have a value, but was \"N/A\"" + drop,
                failure(LABEL, "a,label\n\"N/A\",x\n"));
    }

    @Test
    void refusesAMissingLabelUnderFail() throws IOException {
        assertEquals("line 2 (data row 1), column \"label\" must have a value, but was empty; MissingValues.DROP_ROW "
                + "would drop the row instead", failure(LABEL, "a,label\n1,\n2,x\n"));
        assertEquals("line 2 (data row 1), column \"y\" must have a value, but was \"NA\"; MissingValues.DROP_ROW "
                + "would drop the row instead", failure(TARGET, "a,y\n1,NA\n"));
    }

    @Test
    void refusesANonFiniteValueUnderFail() throws IOException {
        String drop = "; MissingValues.DROP_ROW would drop the row instead";
        assertEquals("line 2 (data row 1), column \"a\" must be a finite number, but was \"-Infinity\"" + drop,
                failure(LABEL, "a,label\n-Infinity,x\n"));
        assertEquals("line 2 (data row 1), column \"a\" must be a finite number (float32 reaches 3.4e38), but was "
                + "\"1e39\"" + drop, failure(LABEL, "a,label\n1e39,x\n"));
        assertEquals("line 2 (data row 1), column \"y\" must be a finite number, but was \"inf\"" + drop,
                failure(TARGET, "a,y\n1,inf\n"));
    }

    @Test
    void dropRowLeavesOutRowsWithAMissingOrNonFiniteValue() throws IOException {
        Table t = LABEL_DROP.read(write("a,b,label\n1,2,x\n,3,y\n4,NaN,y\n5,inf,y\n6,7,\n8,9,z\n10,1e39,w\n"));
        assertEquals(5, t.droppedRows());
        assertArrayEquals(new float[] {1, 2, 8, 9}, t.dataset().featureArray());
        assertEquals(List.of("x", "z"), t.classNames(), "y and w are only in dropped rows");
        Table r = CsvTable.builder("y").task(Task.REGRESSION).missingValues(CsvTable.MissingValues.DROP_ROW).build()
                .read(write("a,y\n1,2\n3,\n4,-inf\n5,6\n"));
        assertEquals(2, r.droppedRows());
        assertArrayEquals(new float[] {2, 6}, r.dataset().labelArray());
    }

    @Test
    void dropRowStillRefusesTextAndRaggedRows() throws IOException {
        assertEquals("line 2 (data row 1), column \"b\" must be a number, but was \"abc\"",
                failure(LABEL_DROP, "a,b,label\n,abc,x\n"));
        assertEquals("line 2 (data row 1) must have 2 fields like the header, but has 1: nothing for column \"label\"",
                failure(LABEL_DROP, "a,label\nNA\n"));
    }

    @Test
    void refusesAFileWhoseEveryRowIsDropped() throws IOException {
        assertEquals("must have at least one data row left, but all 2 were dropped for a missing or non-finite value "
                + "(MissingValues.DROP_ROW)", failure(LABEL_DROP, "a,label\nNA,x\n1,\n"));
    }

    @Test
    void refusesAQuoteInsideAnUnquotedField() throws IOException {
        assertEquals("line 2 (data row 1), column \"label\" must be quoted to hold a quote (\"\" inside quotes), "
                + "but was \"ab\"\" unquoted", failure(LABEL, "a,label\n1,ab\"c\n"));
    }

    @Test
    void refusesTextAfterAClosingQuote() throws IOException {
        assertEquals("line 2 (data row 1), column \"a\" must end at its closing quote (a comma or a line break next), "
                + "but the quote is followed by \"x\"", failure(LABEL, "a,label\n\"1\"x,y\n"));
    }

    @Test
    void refusesAQuoteTheFileEndsInside() throws IOException {
        assertEquals("line 3 (data row 2), column \"label\" must close the quote it opens on line 3, but the file "
                + "ends inside it", failure(LABEL, "a,label\n1,x\n2,\"y\n3,z\n"));
    }

    @Test
    void refusesBytesThatAreNotUtf8NamingTheirLine() throws IOException {
        StringBuilder rows = new StringBuilder("a,label\n");
        for (int i = 0; i < 30_000; i++) {
            // well-formed two-byte sequences, over a buffer's worth
            rows.append(i).append(i % 2 == 0 ? ",caf\u00e9\n" : ",th\u00e9\n");
        }
        byte[] good = rows.toString().getBytes(StandardCharsets.UTF_8);
        byte[] bad = java.util.Arrays.copyOf(good, good.length + 4);
        bad[good.length] = '1';
        bad[good.length + 1] = ',';
        bad[good.length + 2] = (byte) 0xC3;   // a lead byte with no continuation
        bad[good.length + 3] = '\n';
        Path file = write(bad);
        CsvFormatException e = assertThrows(CsvFormatException.class, () -> LABEL.read(file));
        assertEquals(file + ": line 30002 must be UTF-8, but has a malformed sequence of 1 byte", e.getMessage());
        assertEquals(30_000, LABEL.read(write(good)).dataset().size(), "the same rows, well-formed");
    }

    @Test
    void refusesAFileThatMayNotFitTheHeapBeforeReadingIt() throws IOException {
        Path file = dir.resolve("huge.csv");
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
            sparse.setLength(1L << 40);   // a terabyte of holes: no disk, and never read
        }
        CsvFormatException e = assertThrows(CsvFormatException.class, () -> LABEL.read(file));
        assertTrue(e.getMessage().startsWith(file + ": a file of 1.1 TB may hold up to 549,755,813,889 numbers = "
                + "4.4 TB as float32 with the copy reading makes, but the heap has "), e.getMessage());
        assertTrue(e.getMessage().endsWith("for training); raise -Xmx or use fewer rows"), e.getMessage());
    }

    @Test
    void refusesAClassPerRowBeforeItsOneHotTargetsOutgrowTheHeap() throws IOException {
        StringBuilder rows = new StringBuilder("a,label\n");
        for (int i = 0; i < 70_000; i++) {
            rows.append(i).append(",id-").append(i).append('\n');
        }
        String message = failure(LABEL, rows.toString());
        // where it stops depends on the heap: the first power of two of classes that cannot fit
        assertTrue(message.matches("column \"label\" has at least [0-9,]+ classes in [0-9,]+ data rows: their one-hot "
                + "targets (need .* as float32, but the heap has .* free \\(keeping .* for training\\); raise -Xmx, or"
                + "|must fit one array of at most 2,147,483,631 numbers, but are [0-9,]+;)"
                + " if the label is a number to predict, read it with task\\(Task.REGRESSION\\)"), message);
    }

    @Test
    void refusesADirectoryNamingIt() {
        IOException e = assertThrows(IOException.class, () -> LABEL.read(dir));
        assertTrue(e.getMessage().startsWith(dir.toString()), e.getMessage());
    }

    @Test
    void refusesAMissingFileNamingIt() {
        Path file = dir.resolve("absent.csv");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> LABEL.read(file));
        assertEquals(file + ": no such CSV file", e.getMessage());
    }

    // the reader's settings

    @Test
    void builderDefaultsToClassificationThatFailsOnMissingValues() {
        CsvTable reader = CsvTable.builder(" species ").build();
        assertEquals("species", reader.labelColumn());
        assertEquals(Task.CLASSIFICATION, reader.task());
        assertEquals(CsvTable.MissingValues.FAIL, reader.missingValues());
    }

    @Test
    void builderRefusesNullsAndABlankLabelColumn() {
        assertEquals("labelColumn", assertThrows(NullPointerException.class, () -> CsvTable.builder(null)).getMessage());
        assertEquals("labelColumn must not be blank, but was \" \"",
                assertThrows(IllegalArgumentException.class, () -> CsvTable.builder(" ")).getMessage());
        assertEquals("task", assertThrows(NullPointerException.class, () -> CsvTable.builder("y").task(null))
                .getMessage());
        assertEquals("missingValues", assertThrows(NullPointerException.class,
                () -> CsvTable.builder("y").missingValues(null)).getMessage());
        assertEquals("file", assertThrows(NullPointerException.class, () -> LABEL.read(null)).getMessage());
    }

    @Test
    void tableChecksItsNamesAgainstTheDataset() {
        Dataset d = Dataset.of("d", 2, 2, 2, new float[4], new float[] {1, 0, 0, 1});
        assertEquals("featureNames must have one name per feature column, 2, but had 1",
                assertThrows(IllegalArgumentException.class,
                        () -> new Table(d, List.of("a"), "y", List.of("p", "q"), 0)).getMessage());
        assertEquals("classNames must have one name per target column, 2, but had 3",
                assertThrows(IllegalArgumentException.class,
                        () -> new Table(d, List.of("a", "b"), "y", List.of("p", "q", "r"), 0)).getMessage());
        assertEquals("featureNames must be distinct, but \"a\" appears twice",
                assertThrows(IllegalArgumentException.class,
                        () -> new Table(d, List.of("a", "a"), "y", List.of("p", "q"), 0)).getMessage());
        Dataset r = Dataset.regression("r", 2, 2, 1, new float[4], new float[2]);
        assertEquals("classNames must be empty for a REGRESSION dataset, but had 1",
                assertThrows(IllegalArgumentException.class,
                        () -> new Table(r, List.of("a", "b"), "y", List.of("p"), 0)).getMessage());
    }
}

package io.epochflux.data;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SplitTest {

    private static Dataset read(String file, String label, Task task) throws IOException {
        return CsvTable.builder(label).task(task).build().read(CsvTableTest.tabular(file)).dataset();
    }

    private static int[] classCounts(Dataset d, int classes) {
        int[] counts = new int[classes];
        for (int i = 0; i < d.size(); i++) {
            counts[d.classOf(i)]++;
        }
        return counts;
    }

    /** Rows whose one feature is their index, in classes of the given sizes, one class after another. */
    private static Dataset ids(int... classSizes) {
        int n = 0;
        for (int s : classSizes) {
            n += s;
        }
        float[] x = new float[n];
        float[] y = new float[n * classSizes.length];
        int row = 0;
        for (int c = 0; c < classSizes.length; c++) {
            for (int i = 0; i < classSizes[c]; i++, row++) {
                x[row] = row;
                y[row * classSizes.length + c] = 1;
            }
        }
        return Dataset.of("ids", n, 1, classSizes.length, x, y);
    }

    @Test
    void stratifiedSplitKeepsEachClassInItsProportion() throws IOException {
        Split iris = Split.byFractions(read("iris.csv", "species", Task.CLASSIFICATION), 0.6, 0.2, 0.2, 7);
        assertArrayEquals(new int[] {30, 30, 30}, classCounts(iris.train(), 3));
        assertArrayEquals(new int[] {10, 10, 10}, classCounts(iris.validation(), 3));
        assertArrayEquals(new int[] {10, 10, 10}, classCounts(iris.test(), 3));
        // wine's classes of 59, 71 and 48 rows, each cut at round(0.6 n) and round(0.8 n)
        Split wine = Split.byFractions(read("wine.csv", "cultivar", Task.CLASSIFICATION), 0.6, 0.2, 0.2, 7);
        assertArrayEquals(new int[] {35, 43, 29}, classCounts(wine.train(), 3));
        assertArrayEquals(new int[] {12, 14, 9}, classCounts(wine.validation(), 3));
        assertArrayEquals(new int[] {12, 14, 10}, classCounts(wine.test(), 3));
    }

    @Test
    void partsTakeEveryRowOnceAndInterleaveTheClasses() {
        Split s = Split.byFractions(ids(40, 25, 35), 0.5, 0.3, 0.2, 3);
        Set<Float> seen = new HashSet<>();
        for (Dataset part : new Dataset[] {s.train(), s.validation(), s.test()}) {
            for (float id : part.featureArray()) {
                assertTrue(seen.add(id), "row " + id + " is in one part only");
            }
        }
        assertEquals(100, seen.size());
        int firstClass = s.train().classOf(0);
        boolean mixed = false;
        for (int i = 1; i < 20; i++) {
            mixed |= s.train().classOf(i) != firstClass;
        }
        assertTrue(mixed, "the training part does not list one class after another");
    }

    @Test
    void sameSeedGivesTheSameSplitAndAnotherSeedAnother() throws IOException {
        Dataset iris = read("iris.csv", "species", Task.CLASSIFICATION);
        Split a = Split.byFractions(iris, 0.6, 0.2, 0.2, 7);
        Split b = Split.byFractions(iris, 0.6, 0.2, 0.2, 7);
        assertEquals(a.train().digest(), b.train().digest());
        assertEquals(a.validation().digest(), b.validation().digest());
        assertEquals(a.test().digest(), b.test().digest());
        Split c = Split.byFractions(iris, 0.6, 0.2, 0.2, 8);
        assertNotEquals(a.train().digest(), c.train().digest());
        assertNotEquals(a.test().digest(), c.test().digest());
    }

    @Test
    void regressionSplitIsAShuffleCutByTheFractions() throws IOException {
        Dataset diabetes = read("diabetes.csv", "progression", Task.REGRESSION);
        Split s = Split.byFractions(diabetes, 0.6, 0.2, 0.2, 1);
        // 442 rows cut at round(265.2) and round(353.6)
        assertEquals(265, s.train().size());
        assertEquals(89, s.validation().size());
        assertEquals(88, s.test().size());
        assertEquals(Task.REGRESSION, s.train().task());
        assertEquals(Task.REGRESSION, s.test().task());
        assertNotEquals(diabetes.slice(0, 265).digest(), s.train().digest(), "shuffled, not the first rows");
        assertEquals("diabetes.csv shuffled(0.6, 0.2, 0.2, seed=1)[validation]", s.validation().name());
    }

    @Test
    void partsAreNamedAfterHowTheyWereMade() throws IOException {
        Split s = Split.byFractions(read("iris.csv", "species", Task.CLASSIFICATION), 0.6, 0.2, 0.2, 7);
        assertEquals("iris.csv stratified(0.6, 0.2, 0.2, seed=7)[train]", s.train().name());
        assertEquals("iris.csv stratified(0.6, 0.2, 0.2, seed=7)[test]", s.test().name());
    }

    @Test
    void aZeroFractionGivesAnEmptyPart() {
        Split s = Split.byFractions(ids(10, 10), 0.8, 0.2, 0, 1);
        assertEquals(16, s.train().size());
        assertEquals(4, s.validation().size());
        assertEquals(0, s.test().size());
        Split all = Split.byFractions(ids(3, 4), 1, 0, 0, 1);
        assertEquals(7, all.train().size());
    }

    @Test
    void refusesFractionsOutOfRangeOrNotAddingUpToOne() {
        Dataset d = ids(5, 5);
        assertEquals("train must be in (0, 1], but was 0.0", assertThrows(IllegalArgumentException.class,
                () -> Split.byFractions(d, 0, 0.5, 0.5, 1)).getMessage());
        assertEquals("train must be in (0, 1], but was NaN", assertThrows(IllegalArgumentException.class,
                () -> Split.byFractions(d, Double.NaN, 0.5, 0.5, 1)).getMessage());
        assertEquals("validation must be in [0, 1], but was -0.1", assertThrows(IllegalArgumentException.class,
                () -> Split.byFractions(d, 0.6, -0.1, 0.5, 1)).getMessage());
        assertEquals("test must be in [0, 1], but was 1.5", assertThrows(IllegalArgumentException.class,
                () -> Split.byFractions(d, 0.6, 0.2, 1.5, 1)).getMessage());
        assertEquals("train + validation + test must be 1 within 1e-9, but was 0.9 (0.6 + 0.2 + 0.1)",
                assertThrows(IllegalArgumentException.class, () -> Split.byFractions(d, 0.6, 0.2, 0.1, 1))
                        .getMessage());
        assertEquals("data", assertThrows(NullPointerException.class,
                () -> Split.byFractions(null, 0.6, 0.2, 0.2, 1)).getMessage());
        // within the tolerance: 0.7 + 0.2 + 0.1 is 0.9999999999999999 in doubles
        assertEquals(10, sizes(Split.byFractions(d, 0.7, 0.2, 0.1, 1)));
    }

    private static int sizes(Split s) {
        return s.train().size() + s.validation().size() + s.test().size();
    }
}

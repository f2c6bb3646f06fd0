package io.epochflux.data;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StandardizationTest {

    private static Table wine() throws IOException {
        return CsvTable.builder("cultivar").build().read(CsvTableTest.tabular("wine.csv"));
    }

    /** Each column's mean and population standard deviation, in doubles. */
    private static double[][] moments(Dataset d) {
        float[] x = d.featureArray();
        int n = d.size();
        int k = d.featureCount();
        double[] mean = new double[k];
        double[] std = new double[k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                mean[j] += x[i * k + j] / (double) n;
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                std[j] += (x[i * k + j] - mean[j]) * (x[i * k + j] - mean[j]) / n;
            }
        }
        for (int j = 0; j < k; j++) {
            std[j] = Math.sqrt(std[j]);
        }
        return new double[][] {mean, std};
    }

    @Test
    void fittedOnTrainingScalesItToMeanZeroAndDeviationOne() throws IOException {
        Table wine = wine();
        Split split = Split.byFractions(wine.dataset(), 0.6, 0.2, 0.2, 11);
        Standardization s = Standardization.fit(split.train(), wine.featureNames());
        double[][] before = moments(split.train());
        assertArrayEquals(before[0], s.means(), 1e-9);
        assertArrayEquals(before[1], s.stds(), 1e-9);
        assertTrue(s.means()[12] > 500, "proline is in the hundreds: " + s.means()[12]);
        double[][] after = moments(s.apply(split.train()));
        for (int j = 0; j < 13; j++) {
            assertEquals(0, after[0][j], 1e-5, wine.featureNames().get(j));
            assertEquals(1, after[1][j], 1e-5, wine.featureNames().get(j));
        }
    }

    @Test
    void validationAndTestAreScaledWithTheTrainingFigures() throws IOException {
        Table wine = wine();
        Split split = Split.byFractions(wine.dataset(), 0.6, 0.2, 0.2, 11);
        Standardization s = Standardization.fit(split.train(), wine.featureNames());
        Split scaled = s.apply(split);
        double[] means = s.means();
        double[] stds = s.stds();
        for (Dataset[] pair : new Dataset[][] {{split.validation(), scaled.validation()}, {split.test(), scaled.test()}}) {
            float[] raw = pair[0].featureArray();
            float[] out = pair[1].featureArray();
            for (int i = 0; i < raw.length; i++) {
                assertEquals((float) ((raw[i] - means[i % 13]) / stds[i % 13]), out[i]);
            }
            assertArrayEquals(pair[0].labelArray(), pair[1].labelArray(), "targets unchanged");
        }
        // fitted on the training part only: the validation part's own mean is not exactly 0
        assertNotEquals(0, moments(scaled.validation())[0][0], 1e-3);
        assertEquals(split.validation().name() + " standardized", scaled.validation().name());
        assertEquals(Task.CLASSIFICATION, scaled.test().task());
    }

    @Test
    void aConstantColumnMapsToZero() {
        Dataset d = Dataset.of("c", 3, 2, 1, new float[] {5, 1, 5, 2, 5, 3}, new float[3]);
        Standardization s = Standardization.fit(d, List.of("constant", "varying"));
        assertArrayEquals(new double[] {1, Math.sqrt(2.0 / 3)}, s.stds(), 1e-12);
        float[] x = s.apply(d).featureArray();
        assertEquals(0f, x[0]);
        assertEquals(0f, x[2]);
        assertEquals(0f, x[4]);
    }

    @Test
    void regressionTargetsStayInTheirUnits() throws IOException {
        Table diabetes = CsvTable.builder("progression").task(Task.REGRESSION).build()
                .read(CsvTableTest.tabular("diabetes.csv"));
        Standardization s = Standardization.fit(diabetes.dataset(), diabetes.featureNames());
        Dataset scaled = s.apply(diabetes.dataset());
        assertEquals(Task.REGRESSION, scaled.task());
        assertArrayEquals(diabetes.dataset().labelArray(), scaled.labelArray());
        assertEquals(151f, scaled.labelArray()[0]);
    }

    @Test
    void jsonReadsBackToAnEqualValue() throws IOException {
        Table wine = wine();
        Standardization s = Standardization.fit(wine.dataset(), wine.featureNames());
        String json = s.toJson();
        assertTrue(json.startsWith("{\"feature_names\":[\"alcohol\",\"malic_acid\","), json);
        assertTrue(json.contains("\"means\":[") && json.contains("\"stds\":["), json);
        Standardization back = Standardization.fromJson(json);
        assertEquals(s, back);
        assertEquals(s.hashCode(), back.hashCode());
        assertArrayEquals(s.means(), back.means(), 0.0, "every double exactly");
        assertArrayEquals(s.apply(wine.dataset()).featureArray(), back.apply(wine.dataset()).featureArray());
    }

    @Test
    void fromJsonRefusesWhatItCannotRead() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Standardization.fromJson("{"))
                .getMessage().startsWith("json must be a JSON object, but could not be parsed: "));
        assertEquals("json must be a JSON object, but was array",
                assertThrows(IllegalArgumentException.class, () -> Standardization.fromJson("[1]")).getMessage());
        assertEquals("json must have an array \"means\", but has none", assertThrows(IllegalArgumentException.class,
                () -> Standardization.fromJson("{\"feature_names\":[\"a\"],\"stds\":[1]}")).getMessage());
        assertEquals("json's stds[0] must be a number, but was \"1\"", assertThrows(IllegalArgumentException.class,
                () -> Standardization.fromJson("{\"feature_names\":[\"a\"],\"means\":[0],\"stds\":[\"1\"]}"))
                .getMessage());
        assertEquals("stds[0] (a) must be finite and > 0, but was 0.0", assertThrows(IllegalArgumentException.class,
                () -> Standardization.fromJson("{\"feature_names\":[\"a\"],\"means\":[0],\"stds\":[0]}")).getMessage());
    }

    @Test
    void valueIsImmutable() {
        double[] means = {1, 2};
        Standardization s = new Standardization(List.of("a", "b"), means, new double[] {1, 1});
        means[0] = 99;
        assertEquals(1, s.means()[0], "copied in");
        s.means()[1] = 99;
        assertEquals(2, s.means()[1], "copied out");
    }

    @Test
    void refusesMismatchedShapes() {
        Dataset d = Dataset.of("d", 2, 2, 1, new float[4], new float[2]);
        assertEquals("featureNames must have one name per feature column of d, 2, but had 1",
                assertThrows(IllegalArgumentException.class, () -> Standardization.fit(d, List.of("a"))).getMessage());
        assertEquals("train must have at least 1 example to fit on, but d[0:0] has none",
                assertThrows(IllegalArgumentException.class,
                        () -> Standardization.fit(d.slice(0, 0), List.of("a", "b"))).getMessage());
        Standardization s = Standardization.fit(d, List.of("a", "b"));
        Dataset wide = Dataset.of("wide", 1, 3, 1, new float[3], new float[1]);
        assertEquals("data must have the 2 features this standardization was fitted on, but wide has 3",
                assertThrows(IllegalArgumentException.class, () -> s.apply(wide)).getMessage());
        assertEquals("means and stds must have one entry per feature name, 1, but had 2 and 1",
                assertThrows(IllegalArgumentException.class,
                        () -> new Standardization(List.of("a"), new double[2], new double[] {1})).getMessage());
    }
}

package io.epochflux.data;

import io.epochflux.TestData;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetTest {

    private static Dataset tiny() {
        float[] x = {0, 1, 2, 3, 4, 5, 6, 7};      // 4 examples x 2 features
        float[] y = {1, 0, 0, 1, 1, 0, 0, 1};      // 4 examples x 2 classes
        return Dataset.of("tiny", 4, 2, 2, x, y);
    }

    @Test
    void featuresAndLabelsAreFloatMatricesAndCopies() {
        Dataset d = tiny();
        INDArray x = d.features();
        assertEquals(DataType.FLOAT, x.dataType());
        assertArrayEquals(new long[] {4, 2}, x.shape());
        x.putScalar(0, 0, 99f);
        assertEquals(0f, d.features().getFloat(0, 0), "changing a returned array does not change the dataset");
        assertArrayEquals(new long[] {4, 2}, d.labels().shape());
        assertEquals(1, d.classOf(1));
    }

    @Test
    void ofMatricesChecksShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dataset.of("bad", Nd4j.zeros(3, 2), Nd4j.zeros(4, 2)));
        assertTrue(e.getMessage().contains("same number of rows, but had 3 and 4"), e.getMessage());
        IllegalArgumentException r = assertThrows(IllegalArgumentException.class,
                () -> Dataset.of("bad", Nd4j.zeros(3), Nd4j.zeros(3, 2)));
        assertTrue(r.getMessage().contains("features must be a matrix"), r.getMessage());
        Dataset ok = Dataset.of("ok", Nd4j.ones(DataType.DOUBLE, 3, 2), Nd4j.zeros(3, 5));
        assertEquals(3, ok.size());
        assertEquals(5, ok.labelCount());
    }

    @Test
    void ofArraysChecksLengths() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dataset.of("bad", 2, 3, 1, new float[5], new float[2]));
        assertTrue(e.getMessage().contains("features.length must be size * featureCount = 6, but was 5"), e.getMessage());
    }

    @Test
    void sliceAndSelectKeepOrder() {
        Dataset d = tiny();
        assertArrayEquals(new float[] {2, 3, 4, 5}, d.slice(1, 3).featureArray());
        assertArrayEquals(new float[] {6, 7, 0, 1}, d.select(3, 0).featureArray());
        assertEquals("tiny[1:3]", d.slice(1, 3).name());
        assertThrows(IndexOutOfBoundsException.class, () -> d.select(4));
    }

    @Test
    void sampleDrawsWithoutReplacementReproducibly() {
        Dataset pool = TestData.sample().slice(0, 6000);
        Dataset a = pool.sample(700, 10);
        Dataset b = pool.sample(700, 10);
        assertEquals(a.digest(), b.digest(), "same seed, same sample");
        assertNotEquals(a.digest(), pool.sample(700, 11).digest(), "another seed, another sample");
        // without replacement: a pool whose rows are 0..999 gives 700 distinct rows
        float[] ids = new float[1000];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        float[] drawn = Dataset.of("ids", 1000, 1, 1, ids, new float[1000]).sample(700, 5).featureArray();
        Set<Float> distinct = new HashSet<>();
        for (float v : drawn) {
            distinct.add(v);
        }
        assertEquals(700, distinct.size());
        assertEquals(6000, pool.sample(6000, 1).size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.sample(6001, 1));
        assertTrue(e.getMessage().contains("k must be in 0..6000"), e.getMessage());
    }

    @Test
    void digestIdentifiesContent() {
        assertEquals(tiny().digest(), tiny().digest());
        assertEquals(64, tiny().digest().length());
        float[] x = {0, 1, 2, 3, 4, 5, 6, 8};
        Dataset other = Dataset.of("tiny", 4, 2, 2, x, new float[] {1, 0, 0, 1, 1, 0, 0, 1});
        assertNotEquals(tiny().digest(), other.digest());
    }

    @Test
    void classificationDigestsStayAsTheyWereRecorded() {
        // computed outside Java from the v1 layout: "epochflux-dataset-v1", size, featureCount and
        // labelCount as big-endian ints, then every float big-endian
        assertEquals("20e58f42344b9d3338ea7f6eeef7732594997c4e21136c078f8285173cf9a02b", tiny().digest());
        // the seed split as docs/results/*/report.json recorded it: runs stay comparable
        Split seed = TestData.seedSplit();
        assertEquals("e26da7360ae9c627482c6bc4c88cab9cc4b9cc44bd2c2463aeb0b0013e0e210b", seed.train().digest());
        assertEquals("c54e00bfec33a55983924bd6c9a06acfcb0159cceada004f81be5942adaa2ee3", seed.validation().digest());
        assertEquals("b72a370b63d1f0a14e14433de2c407ca6397e28a3d73244f9c0937b6d77b5546", seed.test().digest());
    }

    private static Dataset tinyRegression() {
        float[] x = {0, 1, 2, 3, 4, 5, 6, 7};
        float[] y = {1, 0, 0, 1, 1, 0, 0, 1};      // the same arrays as tiny(), read as 4 x 2 numbers
        return Dataset.regression("tiny", 4, 2, 2, x, y);
    }

    @Test
    void ofAndFromIdxMakeClassificationDatasets() {
        assertEquals(Task.CLASSIFICATION, tiny().task());
        assertEquals(Task.CLASSIFICATION, Dataset.of("m", Nd4j.zeros(2, 3), Nd4j.zeros(2, 2)).task());
        assertEquals(Task.CLASSIFICATION, TestData.sample().task());
    }

    @Test
    void regressionDatasetHoldsItsTargetsAsGiven() {
        Dataset d = tinyRegression();
        assertEquals(Task.REGRESSION, d.task());
        assertEquals(2, d.labelCount());
        assertArrayEquals(new float[] {1, 0, 0, 1, 1, 0, 0, 1}, d.labelArray());
        assertTrue(d.toString().contains("regression"), d.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dataset.regression("bad", 2, 1, 1, new float[2], new float[3]));
        assertEquals("targets.length must be size * targetCount = 2, but was 3", e.getMessage());
        IllegalArgumentException c = assertThrows(IllegalArgumentException.class,
                () -> Dataset.regression("bad", 2, 1, 0, new float[2], new float[0]));
        assertEquals("targetCount must be >= 1, but was 0", c.getMessage());
    }

    @Test
    void regressionDigestDiffersFromClassificationWithTheSameArrays() {
        assertNotEquals(tiny().digest(), tinyRegression().digest());
        assertEquals(tinyRegression().digest(), tinyRegression().digest());
    }

    @Test
    void subsetsKeepTheTask() {
        Dataset d = tinyRegression();
        assertEquals(Task.REGRESSION, d.slice(1, 3).task());
        assertEquals(Task.REGRESSION, d.select(3, 0).task());
        assertEquals(Task.REGRESSION, d.sample(2, 7).task());
        assertEquals(Task.CLASSIFICATION, tiny().sample(2, 7).task());
        // the same rows as a classification subset, told apart by the task alone
        assertNotEquals(tiny().slice(1, 3).digest(), d.slice(1, 3).digest());
    }

    @Test
    void classOfRefusesARegressionDataset() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> tinyRegression().classOf(0));
        assertEquals("classOf needs a CLASSIFICATION dataset, but tiny is REGRESSION: its targets are numbers, "
                + "not classes", e.getMessage());
    }

    @Test
    void kernelsReadARegressionDatasetsArraysInPlace() {
        Dataset d = tinyRegression();
        assertArrayEquals(d.featureArray(), io.epochflux.internal.DatasetArrays.features(d));
        assertArrayEquals(d.labelArray(), io.epochflux.internal.DatasetArrays.labels(d));
    }

    @Test
    void splitRefusesPartsOfDifferentTasks() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Split(tiny(), tinyRegression(), tiny()));
        assertEquals("every part of a split must have the training set's task CLASSIFICATION, but tiny is REGRESSION",
                e.getMessage());
    }
}

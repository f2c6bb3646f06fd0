package io.epochflux.data;

import io.epochflux.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MnistTest {

    @TempDir
    Path dir;

    @Test
    void bundledSampleHasTenThousandDigitsWithTheDocumentedLabels() {
        Dataset sample = TestData.sample();
        assertEquals(10_000, sample.size());
        assertEquals(784, sample.featureCount());
        assertEquals(10, sample.labelCount());
        int[] first = {7, 2, 2, 7, 3, 5, 2, 6, 5, 9, 2, 1, 9, 3, 9, 0, 7, 2, 6, 1};
        for (int i = 0; i < first.length; i++) {
            assertEquals(first[i], sample.classOf(i), "label " + i);
        }
        int[] counts = new int[10];
        for (int i = 0; i < sample.size(); i++) {
            counts[sample.classOf(i)]++;
        }
        assertEquals("[1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]", java.util.Arrays.toString(counts));
    }

    @Test
    void bundledPixelsAreScaledToTheUnitInterval() {
        float[] x = TestData.sample().slice(0, 100).featureArray();
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(0f, min);
        assertEquals(1f, max);
    }

    @Test
    void aDamagedBundledFileIsRefused() {
        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> Mnist.checkedResource(Mnist.SAMPLE_LABELS, "00" + Mnist.SAMPLE_LABELS_SHA256.substring(2)));
        assertTrue(e.getMessage().contains("damaged"), e.getMessage());
        assertTrue(e.getMessage().contains(Mnist.SAMPLE_LABELS_SHA256), e.getMessage());
    }

    @Test
    void sampleSplitDrawsFromTheDocumentedPools() {
        Split split = Mnist.sampleSplit(TestData.sample(), 700, 300, 10);
        assertEquals(700, split.train().size());
        assertEquals(300, split.validation().size());
        assertEquals(2000, split.test().size());
        assertEquals(TestData.sample().slice(8000, 10_000).digest(), split.test().digest());
        assertEquals(TestData.sample().slice(0, 6000).sample(700, 10).digest(), split.train().digest());
        assertEquals(TestData.sample().slice(6000, 8000).sample(300, 10).digest(), split.validation().digest());
        assertEquals(split.train().digest(), Mnist.sampleSplit(TestData.sample(), 700, 300, 10).train().digest());
        assertNotEquals(split.train().digest(), Mnist.sampleSplit(TestData.sample(), 700, 300, 11).train().digest());
    }

    @Test
    void sampleSplitRefusesSizesLargerThanTheirPool() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Mnist.sampleSplit(TestData.sample(), 6001, 300, 10));
        assertTrue(e.getMessage().contains("trainSize must be in 1..6000"), e.getMessage());
        assertTrue(e.getMessage().contains("6001"), e.getMessage());
        IllegalArgumentException v = assertThrows(IllegalArgumentException.class,
                () -> Mnist.sampleSplit(TestData.sample(), 700, 0, 10));
        assertTrue(v.getMessage().contains("validationSize must be in 1..2000"), v.getMessage());
        assertTrue(v.getMessage().endsWith("but was 0"), v.getMessage());
    }

    private void writeStandardFiles(int train, int test, boolean gzip) throws IOException {
        String gz = gzip ? ".gz" : "";
        Dataset sample = TestData.sample();
        Idx.writeImages(dir.resolve("train-images-idx3-ubyte" + gz), images(sample, 0, train));
        Idx.writeLabels(dir.resolve("train-labels-idx1-ubyte" + gz), labels(sample, 0, train));
        Idx.writeImages(dir.resolve("t10k-images-idx3-ubyte" + gz), images(sample, train, train + test));
        Idx.writeLabels(dir.resolve("t10k-labels-idx1-ubyte" + gz), labels(sample, train, train + test));
    }

    /** Examples {@code [from, to)} of the sample, wrapping around past its end. */
    private static int[] range(int from, int to) {
        int[] idx = new int[to - from];
        for (int i = from; i < to; i++) {
            idx[i - from] = i % 10_000;
        }
        return idx;
    }

    private static IdxImages images(Dataset d, int from, int to) {
        float[] x = d.select(range(from, to)).featureArray();
        byte[] px = new byte[x.length];
        for (int i = 0; i < x.length; i++) {
            px[i] = (byte) Math.round(x[i] * 255);
        }
        return IdxImages.of(to - from, 28, 28, px);
    }

    private static IdxLabels labels(Dataset d, int from, int to) {
        byte[] lb = new byte[to - from];
        int[] idx = range(from, to);
        for (int i = 0; i < idx.length; i++) {
            lb[i] = (byte) d.classOf(idx[i]);
        }
        return IdxLabels.of(lb);
    }

    @Test
    void readsADirectoryOfStandardFilesPlainOrGzipped() throws IOException {
        for (boolean gzip : new boolean[] {false, true}) {
            writeStandardFiles(10_500, 500, gzip);
            assertTrue(Mnist.hasStandardFiles(dir));
            Mnist.TrainAndTest files = Mnist.directory(dir);
            assertEquals(10_500, files.train().size());
            assertEquals(500, files.test().size());
            assertEquals(TestData.sample().select(range(0, 10_500)).digest(), files.train().digest());
            Split split = Mnist.kerasSplit(files, 300, 200, 1);
            assertEquals(300, split.train().size());
            assertEquals(200, split.validation().size());
            assertEquals(500, split.test().size());
            java.nio.file.Files.list(dir).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void kerasSplitKeepsTheLastTenThousandForValidation() throws IOException {
        writeStandardFiles(10_500, 10, false);
        Mnist.TrainAndTest files = Mnist.directory(dir);
        Split split = Mnist.kerasSplit(files, 500, 10_000, 3);
        assertEquals(files.train().slice(0, 500).digest(), split.train().digest());
        assertEquals(files.train().slice(500, 10_500).digest(), split.validation().digest());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Mnist.kerasSplit(files, 501, 10, 3));
        assertTrue(e.getMessage().contains("trainSize must be in 1..500"), e.getMessage());
    }

    @Test
    void namesTheMissingStandardFile() throws IOException {
        writeStandardFiles(10_001, 10, true);
        java.nio.file.Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        assertFalse(Mnist.hasStandardFiles(dir));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Mnist.directory(dir));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz"), e.getMessage());
        NoSuchFileException notDir = assertThrows(NoSuchFileException.class, () -> Mnist.directory(dir.resolve("nope")));
        assertTrue(notDir.getMessage().contains("nope"), notDir.getMessage());
    }
}

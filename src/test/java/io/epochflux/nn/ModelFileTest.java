package io.epochflux.nn;

import io.epochflux.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFileTest {

    @TempDir
    Path dir;

    private static Sequential trained() {
        Sequential m = SequentialTest.seedModel(4);
        try (TrainingSession s = m.startTraining(TestData.sample().slice(0, 50), Optimizer.adam(), 10)) {
            int[] order = new int[50];
            for (int i = 0; i < 50; i++) {
                order[i] = i;
            }
            for (int from = 0; from < 50; from += 10) {
                s.trainBatch(order, from, from + 10);
            }
        }
        return m;
    }

    @Test
    void saveAndLoadRoundTripExactly() throws IOException {
        Sequential m = trained();
        Path file = dir.resolve("model.zip");
        m.save(file);
        Sequential loaded = Sequential.load(file);
        assertEquals(m.snapshot(), loaded.snapshot());
        assertEquals(m.describe(), loaded.describe());
        assertEquals(m.seed(), loaded.seed());
        INDArray x = TestData.sample().slice(0, 8).features();
        assertEquals(m.predict(x), loaded.predict(x));
        Sequential fresh = SequentialTest.seedModel(99);
        fresh.loadParameters(file);
        assertEquals(m.snapshot(), fresh.snapshot());
    }

    @Test
    void refusesAFileOfAnotherShape() throws IOException {
        Path file = dir.resolve("other.zip");
        Sequential.builder(784).dense(4, Activation.RELU).dense(10, Activation.SOFTMAX).build().save(file);
        Sequential m = SequentialTest.seedModel(1);
        ModelFileException e = assertThrows(ModelFileException.class, () -> m.loadParameters(file));
        assertTrue(e.getMessage().contains("784-4(relu)-10(softmax)"), e.getMessage());
        assertTrue(e.getMessage().contains("784-2(relu)-10(softmax)"), e.getMessage());
    }

    @Test
    void refusesFilesThatAreNotModels() throws IOException {
        Path text = dir.resolve("text.zip");
        Files.writeString(text, "not a zip");
        assertTrue(assertThrows(ModelFileException.class, () -> Sequential.load(text)).getMessage().contains("no model.json"));
        Path empty = dir.resolve("empty.zip");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(empty))) {
            zip.putNextEntry(new ZipEntry("readme.txt"));
            zip.closeEntry();
        }
        assertTrue(assertThrows(ModelFileException.class, () -> Sequential.load(empty)).getMessage().contains("no model.json"));
    }

    @Test
    void detectsDamagedParameters() throws IOException {
        Path good = dir.resolve("good.zip");
        trained().save(good);
        Path bad = dir.resolve("bad.zip");
        // copy, replacing layer 1's biases with layer 0's (right shape for neither) and then with a tweaked config
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(good));
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(bad))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                byte[] bytes = in.readAllBytes();
                if (e.getName().equals("model.json")) {
                    String json = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
                    json = json.replaceAll("\"parametersSha256\" : \"[0-9a-f]+\"", "\"parametersSha256\" : \"00\"");
                    bytes = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                }
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(bytes);
                out.closeEntry();
            }
        }
        ModelFileException ex = assertThrows(ModelFileException.class, () -> Sequential.load(bad));
        assertTrue(ex.getMessage().contains("damaged"), ex.getMessage());
    }

    @Test
    void aFailedSaveLeavesTheOldFile() throws IOException {
        Path file = dir.resolve("model.zip");
        Sequential m = trained();
        m.save(file);
        byte[] before = Files.readAllBytes(file);
        Path blocked = dir.resolve("blocker");
        Files.writeString(blocked, "x");
        assertThrows(IOException.class, () -> m.save(blocked.resolve("model.zip")));
        assertArrayEquals(before, Files.readAllBytes(file));
        try (OutputStream ignored = Files.newOutputStream(dir.resolve("probe"))) {
            // the directory is still writable and holds no temporary files
        }
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }
}

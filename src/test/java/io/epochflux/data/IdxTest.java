package io.epochflux.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxTest {

    @TempDir
    Path dir;

    private static IdxImages images(int count, int rows, int cols) {
        byte[] pixels = new byte[count * rows * cols];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 7);
        }
        return IdxImages.of(count, rows, cols, pixels);
    }

    private static byte[] header(int magic, int... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length).putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    private Path file(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    @Test
    void roundTripsImagesAndLabelsPlainAndGzipped() throws IOException {
        IdxImages im = images(5, 3, 4);
        IdxLabels lb = IdxLabels.of(new byte[] {0, 1, 2, 9, 3});
        for (String suffix : new String[] {"", ".gz"}) {
            Idx.writeImages(dir.resolve("im" + suffix), im);
            Idx.writeLabels(dir.resolve("lb" + suffix), lb);
            assertEquals(im, Idx.readImages(dir.resolve("im" + suffix)));
            assertEquals(lb, Idx.readLabels(dir.resolve("lb" + suffix)));
        }
        byte[] gz = Files.readAllBytes(dir.resolve("im.gz"));
        assertEquals(0x1f, gz[0] & 0xFF, "a .gz name is written gzipped");
        assertEquals(16 + 60, Files.size(dir.resolve("im")), "a plain name is written plain");
    }

    @Test
    void recognisesGzipByContentNotName() throws IOException {
        Idx.writeImages(dir.resolve("a.gz"), images(2, 2, 2));
        Files.move(dir.resolve("a.gz"), dir.resolve("renamed"));
        assertEquals(images(2, 2, 2), Idx.readImages(dir.resolve("renamed")));
    }

    @Test
    void rejectsWrongMagicNamingFileAndBothNumbers() throws IOException {
        Idx.writeLabels(dir.resolve("labels"), IdxLabels.of(new byte[] {1, 2}));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.readImages(dir.resolve("labels")));
        assertTrue(e.getMessage().contains(dir.resolve("labels").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("expected 0x00000803"), e.getMessage());
        assertTrue(e.getMessage().contains("found 0x00000801"), e.getMessage());
        assertTrue(e.getMessage().contains("label file"), e.getMessage());

        Path text = file("text", "hello world, not idx".getBytes());
        IdxFormatException e2 = assertThrows(IdxFormatException.class, () -> Idx.readLabels(text));
        assertTrue(e2.getMessage().contains("not an IDX file"), e2.getMessage());
    }

    @Test
    void rejectsEmptyFileAndTruncatedHeader() throws IOException {
        Path empty = file("empty", new byte[0]);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.readImages(empty));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());

        Path shortHeader = file("short", Arrays.copyOf(header(Idx.IMAGES_MAGIC, 2, 2, 2), 10));
        IdxFormatException e2 = assertThrows(IdxFormatException.class, () -> Idx.readImages(shortHeader));
        assertTrue(e2.getMessage().contains("truncated header"), e2.getMessage());
        assertTrue(e2.getMessage().contains("row count"), e2.getMessage());
    }

    @Test
    void rejectsTruncatedPlainFileWithExpectedAndFoundLengths() throws IOException {
        Path p = file("trunc", concat(header(Idx.IMAGES_MAGIC, 10, 28, 28), new byte[100]));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.readImages(p));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("7856"), e.getMessage()); // 16 + 10 * 28 * 28
        assertTrue(e.getMessage().contains("116"), e.getMessage());
    }

    @Test
    void rejectsTruncatedGzippedFileWithExpectedAndFoundCounts() throws IOException {
        Path p = file("trunc.gz", gzip(concat(header(Idx.IMAGES_MAGIC, 10, 28, 28), new byte[100])));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.readImages(p));
        assertTrue(e.getMessage().contains("expected 7840 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("found 100"), e.getMessage());
    }

    @Test
    void rejectsGzipStreamCutShort() throws IOException {
        byte[] gz = gzip(concat(header(Idx.IMAGES_MAGIC, 3, 8, 8), new byte[192]));
        Path p = file("cut.gz", Arrays.copyOf(gz, gz.length - 12));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.readImages(p));
        assertTrue(e.getMessage().contains("cut.gz"), e.getMessage());
    }

    @Test
    void rejectsCorruptGzipData() throws IOException {
        byte[] gz = gzip(concat(header(Idx.LABELS_MAGIC, 50), new byte[50]));
        for (int i = 12; i < gz.length - 8; i++) {
            gz[i] = (byte) ~gz[i];
        }
        Path p = file("corrupt.gz", gz);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.readLabels(p));
        assertTrue(e.getMessage().contains("corrupt.gz"), e.getMessage());
    }

    @Test
    void rejectsTrailingBytes() throws IOException {
        Path plain = file("long", concat(header(Idx.LABELS_MAGIC, 3), new byte[5]));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.readLabels(plain));
        assertTrue(e.getMessage().contains("too long"), e.getMessage());
        assertTrue(e.getMessage().contains("11"), e.getMessage());
        assertTrue(e.getMessage().contains("13"), e.getMessage());

        Path gz = file("long.gz", gzip(concat(header(Idx.LABELS_MAGIC, 3), new byte[5])));
        IdxFormatException e2 = assertThrows(IdxFormatException.class, () -> Idx.readLabels(gz));
        assertTrue(e2.getMessage().contains("2 unexpected bytes"), e2.getMessage());
    }

    @Test
    void rejectsImpossibleDimensions() throws IOException {
        Path negative = file("neg", header(Idx.IMAGES_MAGIC, -1, 28, 28));
        assertTrue(assertThrows(IdxFormatException.class, () -> Idx.readImages(negative)).getMessage()
                .contains("image count must be >= 0, but the header says -1"));
        Path zero = file("zero", header(Idx.IMAGES_MAGIC, 1, 0, 28));
        assertTrue(assertThrows(IdxFormatException.class, () -> Idx.readImages(zero)).getMessage()
                .contains("at least 1 x 1"));
        Path huge = file("huge", header(Idx.IMAGES_MAGIC, 100_000, 1000, 1000));
        assertTrue(assertThrows(IdxFormatException.class, () -> Idx.readImages(huge)).getMessage()
                .contains("do not fit"));
        Path negLabels = file("negl", header(Idx.LABELS_MAGIC, -5));
        assertTrue(assertThrows(IdxFormatException.class, () -> Idx.readLabels(negLabels)).getMessage()
                .contains("label count must be >= 0"));
    }

    @Test
    void rejectsImageAndLabelCountsThatDisagree() throws IOException {
        Idx.writeImages(dir.resolve("im"), images(4, 2, 2));
        Idx.writeLabels(dir.resolve("lb"), IdxLabels.of(new byte[] {1, 2, 3}));
        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> Idx.readDataset(dir.resolve("im"), dir.resolve("lb"), 10));
        assertTrue(e.getMessage().contains("4 images"), e.getMessage());
        assertTrue(e.getMessage().contains("3 labels"), e.getMessage());
    }

    @Test
    void rejectsLabelOutsideTheClasses() throws IOException {
        Idx.writeImages(dir.resolve("im"), images(3, 2, 2));
        Idx.writeLabels(dir.resolve("lb"), IdxLabels.of(new byte[] {1, 12, 3}));
        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> Idx.readDataset(dir.resolve("im"), dir.resolve("lb"), 10));
        assertTrue(e.getMessage().contains("label of item 1 must be in 0..9, but was 12"), e.getMessage());
    }

    @Test
    void namesAMissingFile() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Idx.readImages(dir.resolve("absent")));
        assertTrue(e.getMessage().contains("absent"), e.getMessage());
    }

    @Test
    void neverThrowsIndexErrorsOnAnyTruncation() throws IOException {
        byte[] good = concat(header(Idx.IMAGES_MAGIC, 2, 3, 3), new byte[18]);
        for (int len = 0; len < good.length; len++) {
            Path p = file("cut" + len, Arrays.copyOf(good, len));
            assertThrows(IdxFormatException.class, () -> Idx.readImages(p), "length " + len);
        }
    }
}

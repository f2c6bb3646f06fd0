package io.epochflux.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
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

    /**
     * The heap this thread allocates while {@code action} runs, in bytes. Counted per thread, so
     * that what other tests' threads still do in this JVM (the pools' peaks counted it) cannot
     * make it fail.
     */
    private static long peakHeapDuring(org.junit.jupiter.api.function.Executable action) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        try {
            action.execute();
        } catch (Throwable t) {
            // the callers assert on the exception themselves
        }
        return threads.getThreadAllocatedBytes(id) - before;
    }

    @Test
    void refusesATinyGzipPromisingTwoBillionLabelsWithoutAllocatingThem() throws IOException {
        byte[] raw = concat(header(Idx.LABELS_MAGIC, Integer.MAX_VALUE), new byte[100]);
        Path p = file("labels.gz", gzip(raw));
        assertTrue(Files.size(p) < 200, "the issue's case is a 114-byte file");
        long peak = peakHeapDuring(() -> Idx.readLabels(p));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.readLabels(p));
        assertTrue(e.getMessage().contains("2147483647 labels") || e.getMessage().contains("2,147,483,647 labels"),
                e.getMessage());
        assertTrue(peak < 512L << 20, "peak heap " + peak + " while reading a 114-byte file");
    }

    @Test
    void reportsTruncationOfAHugeGzippedImageWithoutAllocatingItsPromise() throws IOException {
        Path p = file("square.gz", gzip(concat(header(Idx.IMAGES_MAGIC, 1, 46_340, 46_340), new byte[5000])));
        long peak = peakHeapDuring(() -> Idx.readImages(p));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.readImages(p));
        // in a heap too small for the promise the heap check speaks first; either way, no 2.1 GB array
        assertTrue(e.getMessage().contains("truncated: expected 2147395600 bytes") && e.getMessage().contains("found 5000")
                || e.getMessage().contains("the heap has"), e.getMessage());
        assertTrue(peak < 512L << 20, "peak heap " + peak + " for 5,000 bytes of pixels");
    }

    @Test
    void refusesAGzipBombWithAConsistentHeaderBeforeDecodingIt() throws IOException {
        Path images = file("train-images-idx3-ubyte.gz", IdxFuzz.gzipBomb(Idx.IMAGES_MAGIC,
                new int[] {20_000, 280, 280}, 20_000L * 280 * 280));
        assertTrue(Files.size(images) < 2_000_000, "a 1.5 MB bomb, was " + Files.size(images));
        Path labels = file("train-labels-idx1-ubyte", concat(header(Idx.LABELS_MAGIC, 20_000), new byte[20_000]));
        long peak = peakHeapDuring(() -> Idx.readDataset(images, labels, 10));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.readDataset(images, labels, 10));
        assertTrue(e.getMessage().startsWith(images + ": promises 20,000 images of 280 x 280 = 6.3 GB as float32"),
                e.getMessage());
        assertTrue(e.getMessage().contains("but the heap has") && e.getMessage().endsWith("raise -Xmx or use fewer images"),
                e.getMessage());
        assertTrue(peak < 512L << 20, "refused before decoding, but the heap peaked at " + peak);
    }

    @Test
    void refusesDimensionsWhoseProductOverflowsALong() throws IOException {
        Path p = file("forged", concat(header(Idx.IMAGES_MAGIC, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE),
                new byte[10]));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.readImages(p));
        assertTrue(e.getMessage().contains("do not fit in one array"), e.getMessage());
        Path gz = file("forged.gz", gzip(Files.readAllBytes(p)));
        assertThrows(IdxFormatException.class, () -> Idx.readImages(gz));
    }

    @Test
    void countsALongTailWithoutReadingAllOfIt() throws IOException {
        byte[] good = concat(header(Idx.LABELS_MAGIC, 2), new byte[] {1, 2});
        Path p = file("tail.gz", IdxFuzz.gzip(concat(good, new byte[3 << 20])));
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> Idx.readLabels(p));
        assertTrue(e.getMessage().contains("more than 1048576 unexpected bytes after the 2 labels"), e.getMessage());
    }

    @Test
    void namesAFileThatCannotBeReadWithTheReason() throws IOException {
        Path d = Files.createDirectory(dir.resolve("train-images-idx3-ubyte"));
        IOException e = assertThrows(IOException.class, () -> Idx.readImages(d));
        assertTrue(e.getMessage().contains(d.toString()), e.getMessage());
        assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("directory"), e.getMessage());
    }
}

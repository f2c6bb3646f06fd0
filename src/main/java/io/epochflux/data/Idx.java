package io.epochflux.data;

import io.epochflux.internal.AtomicFiles;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Reads and writes the IDX format of MNIST and Fashion-MNIST, plain or gzipped.
 *
 * <p>Reading streams the file once. It checks the magic number, the dimensions, and that the
 * data is exactly as long as the header says; a bad file fails with an {@link IdxFormatException}
 * that names the file and says what was expected and what was found. Gzip is recognised by its
 * own magic bytes, not by the file name. Writing is atomic and gzips when the name ends in
 * {@code .gz}.
 */
public final class Idx {

    /** Magic number of an unsigned-byte file with three dimensions: images. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of an unsigned-byte file with one dimension: labels. */
    public static final int LABELS_MAGIC = 0x00000801;

    private static final int GZIP_MAGIC = 0x8b1f;
    private static final int BUFFER = 1 << 16;

    private Idx() {
    }

    /**
     * Reads an image file.
     *
     * @param file an IDX file with magic {@code 0x00000803}, plain or gzipped
     * @return its images
     * @throws IdxFormatException when the file is not a well-formed image file
     * @throws IOException when it cannot be read
     */
    public static IdxImages readImages(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (InputStream in = Files.newInputStream(file)) {
            return readImages(in, file.toString(), Files.size(file));
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such image file");
        }
    }

    /**
     * Reads a label file.
     *
     * @param file an IDX file with magic {@code 0x00000801}, plain or gzipped
     * @return its labels
     * @throws IdxFormatException when the file is not a well-formed label file
     * @throws IOException when it cannot be read
     */
    public static IdxLabels readLabels(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (InputStream in = Files.newInputStream(file)) {
            return readLabels(in, file.toString(), Files.size(file));
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such label file");
        }
    }

    /**
     * Reads an image file from a stream.
     *
     * @param in the bytes, plain or gzipped; not closed
     * @param source the name to use in error messages
     * @return the images
     * @throws IOException when the stream is not a well-formed image file or cannot be read
     */
    public static IdxImages readImages(InputStream in, String source) throws IOException {
        return readImages(in, source, -1);
    }

    /**
     * Reads a label file from a stream.
     *
     * @param in the bytes, plain or gzipped; not closed
     * @param source the name to use in error messages
     * @return the labels
     * @throws IOException when the stream is not a well-formed label file or cannot be read
     */
    public static IdxLabels readLabels(InputStream in, String source) throws IOException {
        return readLabels(in, source, -1);
    }

    private static IdxImages readImages(InputStream raw, String source, long storedLength) throws IOException {
        Objects.requireNonNull(raw, "in");
        Objects.requireNonNull(source, "source");
        Opened opened = open(raw, source, storedLength);
        DataInputStream in = opened.in;
        try {
            int magic = readHeaderInt(in, source, "the magic number");
            checkMagic(source, magic, IMAGES_MAGIC, "unsigned-byte images with 3 dimensions");
            int count = readHeaderInt(in, source, "the image count");
            int rows = readHeaderInt(in, source, "the row count");
            int columns = readHeaderInt(in, source, "the column count");
            if (count < 0) {
                throw new IdxFormatException(source, "image count must be >= 0, but the header says " + count);
            }
            if (rows < 1 || columns < 1) {
                throw new IdxFormatException(source, "image size must be at least 1 x 1, but the header says "
                        + rows + " x " + columns);
            }
            long expectedData = (long) count * rows * columns;
            if (expectedData > Integer.MAX_VALUE - 16) {
                throw new IdxFormatException(source, count + " images of " + rows + " x " + columns
                        + " pixels do not fit in one array (at most " + (Integer.MAX_VALUE - 16) + " bytes)");
            }
            long expectedLength = 16 + expectedData;
            if (!opened.gzipped && storedLength >= 0 && storedLength != expectedLength) {
                throw lengthMismatch(source, storedLength, expectedLength,
                        "16 + " + count + " x " + rows + " x " + columns);
            }
            byte[] pixels = readBody(in, source, (int) expectedData, "pixel data for " + count + " images of "
                    + rows + " x " + columns);
            return IdxImages.wrap(count, rows, columns, pixels);
        } catch (ZipException | EOFException e) {
            throw corrupt(source, e);
        }
    }

    private static IdxLabels readLabels(InputStream raw, String source, long storedLength) throws IOException {
        Objects.requireNonNull(raw, "in");
        Objects.requireNonNull(source, "source");
        Opened opened = open(raw, source, storedLength);
        DataInputStream in = opened.in;
        try {
            int magic = readHeaderInt(in, source, "the magic number");
            checkMagic(source, magic, LABELS_MAGIC, "unsigned-byte labels with 1 dimension");
            int count = readHeaderInt(in, source, "the label count");
            if (count < 0) {
                throw new IdxFormatException(source, "label count must be >= 0, but the header says " + count);
            }
            long expectedLength = 8L + count;
            if (!opened.gzipped && storedLength >= 0 && storedLength != expectedLength) {
                throw lengthMismatch(source, storedLength, expectedLength, "8 + " + count);
            }
            byte[] labels = readBody(in, source, count, count + " labels");
            return IdxLabels.wrap(labels);
        } catch (ZipException | EOFException e) {
            throw corrupt(source, e);
        }
    }

    /**
     * Reads an image file and its label file as one dataset.
     *
     * @param images the image file
     * @param labels the label file
     * @param classes the number of classes; every label must be below it
     * @return features scaled to [0, 1] and one-hot labels
     * @throws IdxFormatException when either file is malformed, their counts differ, or a label
     *         is out of range
     * @throws IOException when a file cannot be read
     */
    public static Dataset readDataset(Path images, Path labels, int classes) throws IOException {
        IdxImages im = readImages(images);
        IdxLabels lb = readLabels(labels);
        return Dataset.fromIdx(im, images.toString(), lb, labels.toString(), classes);
    }

    /**
     * Writes an image file atomically; gzipped when the name ends in {@code .gz}.
     *
     * @param file the target
     * @param images what to write
     * @throws IOException when writing fails; the target is then unchanged
     */
    public static void writeImages(Path file, IdxImages images) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(images, "images");
        write(file, out -> {
            out.writeInt(IMAGES_MAGIC);
            out.writeInt(images.count());
            out.writeInt(images.rows());
            out.writeInt(images.columns());
            out.write(images.unsafeBytes());
        });
    }

    /**
     * Writes a label file atomically; gzipped when the name ends in {@code .gz}.
     *
     * @param file the target
     * @param labels what to write
     * @throws IOException when writing fails; the target is then unchanged
     */
    public static void writeLabels(Path file, IdxLabels labels) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(labels, "labels");
        write(file, out -> {
            out.writeInt(LABELS_MAGIC);
            out.writeInt(labels.count());
            out.write(labels.unsafeBytes());
        });
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static void write(Path file, Body body) throws IOException {
        boolean gzip = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
        AtomicFiles.write(file, raw -> {
            OutputStream sink = gzip ? new GZIPOutputStream(raw, BUFFER) : raw;
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(sink, BUFFER))) {
                body.write(out);
            }
        });
    }

    private record Opened(DataInputStream in, boolean gzipped) {
    }

    private static Opened open(InputStream raw, String source, long storedLength) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(raw, BUFFER);
        buffered.mark(2);
        int b0 = buffered.read();
        int b1 = buffered.read();
        buffered.reset();
        if (b0 < 0 || b1 < 0) {
            throw new IdxFormatException(source, "file is empty or shorter than a header: expected at least 8 bytes, found "
                    + Math.max(0, storedLength >= 0 ? storedLength : (b0 < 0 ? 0 : 1)));
        }
        boolean gzipped = ((b1 << 8) | b0) == GZIP_MAGIC;
        if (!gzipped) {
            return new Opened(new DataInputStream(buffered), false);
        }
        try {
            return new Opened(new DataInputStream(new BufferedInputStream(new GZIPInputStream(buffered, BUFFER), BUFFER)), true);
        } catch (ZipException | EOFException e) {
            throw corrupt(source, e);
        }
    }

    private static int readHeaderInt(DataInputStream in, String source, String what) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new IdxFormatException(source, "truncated header: the file ends before " + what);
        }
    }

    private static void checkMagic(String source, int found, int expected, String meaning) throws IdxFormatException {
        if (found == expected) {
            return;
        }
        String hint = "";
        if (found == IMAGES_MAGIC) {
            hint = " (that is an image file)";
        } else if (found == LABELS_MAGIC) {
            hint = " (that is a label file)";
        } else if ((found >>> 16) != 0) {
            hint = " (not an IDX file)";
        }
        throw new IdxFormatException(source, String.format(Locale.ROOT,
                "wrong magic number: expected 0x%08X (%s), found 0x%08X%s", expected, meaning, found, hint));
    }

    private static byte[] readBody(DataInputStream in, String source, int length, String what) throws IOException {
        byte[] body = new byte[length];
        int read = 0;
        try {
            while (read < length) {
                int n = in.read(body, read, length - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
        } catch (EOFException e) {
            // a gzip stream cut short reports itself this way: still say how far it got
            throw new IdxFormatException(source, "truncated: expected " + length + " bytes of " + what
                    + ", found " + read + " before the compressed stream ended (" + e.getMessage() + ")", e);
        }
        if (read < length) {
            throw new IdxFormatException(source, "truncated: expected " + length + " bytes of " + what
                    + ", found " + read);
        }
        long extra = 0;
        byte[] scratch = new byte[BUFFER];
        int n;
        while ((n = in.read(scratch)) > 0) {
            extra += n;
        }
        if (extra > 0) {
            throw new IdxFormatException(source, extra + " unexpected bytes after the " + what
                    + " (the header says the data ends there)");
        }
        return body;
    }

    private static IdxFormatException lengthMismatch(String source, long found, long expected, String formula) {
        String kind = found < expected ? "truncated" : "too long";
        return new IdxFormatException(source, kind + ": the header implies " + formula + " = " + expected
                + " bytes, but the file has " + found);
    }

    private static IdxFormatException corrupt(String source, IOException e) {
        return new IdxFormatException(source, "corrupt or truncated gzip data (" + e.getMessage() + ")", e);
    }
}

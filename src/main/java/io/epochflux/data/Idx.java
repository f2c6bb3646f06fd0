package io.epochflux.data;

import io.epochflux.internal.AtomicFiles;
import io.epochflux.internal.MemoryBudget;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
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
 *
 * <p>A header is a promise, not a fact: no file makes the reader allocate more than the data it
 * actually holds. A plain file's length is compared with the header before anything is
 * allocated; a gzipped file's buffer grows as data arrives. A consistent header that promises more
 * than the heap can hold (with a margin for training, see {@link MemoryBudget}) is refused before
 * decoding, with the figures. Whatever the bytes, reading ends with the data or with an
 * {@link IdxFormatException} (or another {@link IOException} when the file cannot be read).
 */
public final class Idx {

    /** Magic number of an unsigned-byte file with three dimensions: images. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of an unsigned-byte file with one dimension: labels. */
    public static final int LABELS_MAGIC = 0x00000801;

    private static final int GZIP_MAGIC = 0x8b1f;
    /** The longest array a JVM reliably allocates. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 16;
    /**
     * What loading a dataset holds per pixel at its peak: the byte read (1), its float32 form (4),
     * and the float32 copy a split makes of its pools ({@code Dataset.slice}, 4).
     */
    private static final int DATASET_BYTES_PER_PIXEL = 1 + 2 * Float.BYTES;
    /** A body's buffer starts this small and doubles as data arrives, up to what the header says. */
    private static final int FIRST_CHUNK = 1 << 20;
    /** Trailing bytes are counted up to this many, so a long tail cannot keep the reader busy. */
    private static final long TRAILING_COUNT_LIMIT = 1 << 20;
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
        return readImages(file, 1);
    }

    private static IdxImages readImages(Path file, int bytesPerPixel) throws IOException {
        Objects.requireNonNull(file, "file");
        try (InputStream in = Files.newInputStream(file)) {
            return readImages(in, file.toString(), Files.size(file), bytesPerPixel);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such image file");
        } catch (FileSystemException e) {
            throw withReason(file, e);
        } catch (IdxFormatException e) {
            throw e;
        } catch (IOException e) {
            // "Is a directory", "Input/output error": the OS says why but not which file
            throw new IOException(file + ": " + e.getMessage(), e);
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
        return readLabels(file, 1);
    }

    private static IdxLabels readLabels(Path file, int bytesPerLabel) throws IOException {
        Objects.requireNonNull(file, "file");
        try (InputStream in = Files.newInputStream(file)) {
            return readLabels(in, file.toString(), Files.size(file), bytesPerLabel);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such label file");
        } catch (FileSystemException e) {
            throw withReason(file, e);
        } catch (IdxFormatException e) {
            throw e;
        } catch (IOException e) {
            // "Is a directory", "Input/output error": the OS says why but not which file
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * An {@code AccessDeniedException} says only the file's name; this one also says why, as the
     * operating system words it, so a one-line error tells the user what to fix.
     */
    static FileSystemException withReason(Path file, FileSystemException e) {
        if (e.getReason() != null) {
            return e;
        }
        String reason = e instanceof AccessDeniedException ? "Permission denied" : e.getClass().getSimpleName();
        FileSystemException named = new FileSystemException(file.toString(), e.getOtherFile(), reason);
        named.initCause(e);
        return named;
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
        return readImages(in, source, -1, 1);
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
        return readLabels(in, source, -1, 1);
    }

    private static IdxImages readImages(InputStream raw, String source, long storedLength, int bytesPerPixel)
            throws IOException {
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
            long expectedData = MemoryBudget.product(count, rows, columns);
            if (expectedData > MAX_ARRAY) {
                throw new IdxFormatException(source, String.format(Locale.ROOT,
                        "%,d images of %,d x %,d pixels do not fit in one array (at most %,d bytes)",
                        count, rows, columns, MAX_ARRAY));
            }
            long expectedLength = 16 + expectedData;
            if (!opened.gzipped && storedLength >= 0 && storedLength != expectedLength) {
                throw lengthMismatch(source, storedLength, expectedLength,
                        "16 + " + count + " x " + rows + " x " + columns);
            }
            // refused before decoding: a gzip bomb with a consistent header is refused here, unread
            long needed = MemoryBudget.product(expectedData, bytesPerPixel);
            long free = MemoryBudget.free(needed);
            if (needed > free) {
                String asFloats = bytesPerPixel == 1 ? ""
                        : " as float32 (" + MemoryBudget.bytes(needed) + " with the pixel bytes and the copies loading makes)";
                long shown = bytesPerPixel == 1 ? needed : MemoryBudget.product(expectedData, Float.BYTES);
                throw new IdxFormatException(source, String.format(Locale.ROOT,
                        "promises %,d image%s of %,d x %,d = %s%s, but the heap has %s free (keeping %s for training); "
                                + "raise -Xmx or use fewer images",
                        count, count == 1 ? "" : "s", rows, columns, MemoryBudget.bytes(shown), asFloats, MemoryBudget.bytes(free),
                        MemoryBudget.bytes(MemoryBudget.margin())));
            }
            byte[] pixels = readBody(in, source, (int) expectedData, !opened.gzipped && storedLength >= 0,
                    "pixel data for " + count + " images of " + rows + " x " + columns);
            return IdxImages.wrap(count, rows, columns, pixels);
        } catch (ZipException | EOFException e) {
            throw corrupt(source, e);
        }
    }

    private static IdxLabels readLabels(InputStream raw, String source, long storedLength, int bytesPerLabel)
            throws IOException {
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
            long needed = MemoryBudget.product(count, bytesPerLabel);
            long free = MemoryBudget.free(needed);
            if (needed > free) {
                throw new IdxFormatException(source, String.format(Locale.ROOT,
                        "promises %,d labels = %s%s, but the heap has %s free (keeping %s for training); "
                                + "raise -Xmx or use fewer examples",
                        count, MemoryBudget.bytes(needed),
                        bytesPerLabel == 1 ? "" : " as one-hot float32 with the copies loading makes", MemoryBudget.bytes(free), MemoryBudget.bytes(MemoryBudget.margin())));
            }
            byte[] labels = readBody(in, source, count, !opened.gzipped && storedLength >= 0, count + " labels");
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
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(labels, "labels");
        if (classes < 1) {
            throw new IllegalArgumentException("classes must be >= 1, but was " + classes);
        }
        IdxImages im = readImages(images, DATASET_BYTES_PER_PIXEL);
        IdxLabels lb = readLabels(labels, (int) Math.min(Integer.MAX_VALUE, 1 + 2L * Float.BYTES * classes));
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

    /**
     * Reads exactly {@code length} bytes, then checks nothing follows. When the file's length has
     * already been checked against the header ({@code lengthChecked}) the buffer is allocated at
     * once; otherwise (gzip, a stream) the header is only a promise, so the buffer starts small and
     * doubles as data actually arrives: a forged header costs no more memory than the data behind it.
     */
    private static byte[] readBody(DataInputStream in, String source, int length, boolean lengthChecked, String what)
            throws IOException {
        byte[] body = new byte[lengthChecked ? length : Math.min(length, FIRST_CHUNK)];
        int read = 0;
        try {
            while (read < length) {
                if (read == body.length) {
                    body = Arrays.copyOf(body, (int) Math.min(length, 2L * body.length));
                }
                int n = in.read(body, read, body.length - read);
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
        while (extra <= TRAILING_COUNT_LIMIT && (n = in.read(scratch)) > 0) {
            extra += n;
        }
        if (extra > TRAILING_COUNT_LIMIT) {
            throw new IdxFormatException(source, "more than " + TRAILING_COUNT_LIMIT + " unexpected bytes after the "
                    + what + " (the header says the data ends there)");
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

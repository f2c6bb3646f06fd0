package io.epochflux.data;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * The IDX fuzzer: mutated files through the public readers, in this JVM. {@link IdxFuzzTest} runs
 * it in a child JVM with a 1 GB heap, where a reader that trusts a header would run out of memory.
 *
 * <p>Every case must end with the data or with an {@link IdxFormatException} that has a message;
 * any other exception or {@link Error} is a failure, printed with the case and its mutation, and
 * the exit status is 1. The last line says how many cases ran and how long they took.
 */
final class IdxFuzz {

    /** The fixed seed: the same cases on every run. */
    static final long SEED = 0x1D5_F022L;

    private final Random random;
    private final Path dir;
    private final List<byte[]> seeds = new ArrayList<>();
    private final byte[] bomb;
    private final List<String> failures = new ArrayList<>();
    private int refusedByHeap;
    private int read;
    private int refused;
    private long slowestNanos;
    private String slowest = "";

    IdxFuzz(long seed, Path dir) throws IOException {
        this.random = new Random(seed);
        this.dir = dir;
        // seed files written with the project's own writer, plain and gzipped
        for (int[] dims : new int[][] {{3, 2, 2}, {5, 4, 3}, {1, 28, 28}, {0, 1, 1}, {8, 1, 7}}) {
            byte[] pixels = new byte[dims[0] * dims[1] * dims[2]];
            random.nextBytes(pixels);
            Path p = dir.resolve("seed-images");
            Idx.writeImages(p, IdxImages.of(dims[0], dims[1], dims[2], pixels));
            seeds.add(Files.readAllBytes(p));
            byte[] labels = new byte[dims[0]];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = (byte) random.nextInt(10);
            }
            Path l = dir.resolve("seed-labels");
            Idx.writeLabels(l, IdxLabels.of(labels));
            seeds.add(Files.readAllBytes(l));
        }
        // the bomb: 1.5 MB of gzip that inflates to a consistent 20,000 x 280 x 280 file
        this.bomb = gzipBomb(IMAGES, new int[] {20_000, 280, 280}, 20_000L * 280 * 280);
    }

    private static final int IMAGES = Idx.IMAGES_MAGIC;
    private static final int LABELS = Idx.LABELS_MAGIC;

    static byte[] gzipBomb(int magic, int[] dims, long zeros) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16)) {
            ByteBuffer h = ByteBuffer.allocate(4 + 4 * dims.length).putInt(magic);
            for (int d : dims) {
                h.putInt(d);
            }
            gz.write(h.array());
            byte[] chunk = new byte[1 << 20];
            for (long left = zeros; left > 0; left -= chunk.length) {
                gz.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        }
        return out.toByteArray();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    private int forgedDimension() {
        return switch (random.nextInt(10)) {
            case 0 -> 0;
            case 1 -> -1 - random.nextInt(1000);
            case 2 -> Integer.MAX_VALUE;
            case 3 -> Integer.MIN_VALUE;
            case 4 -> 46_340;
            case 5 -> 1 + random.nextInt(8);
            case 6 -> 1 + random.nextInt(100_000);
            case 7 -> 1 << random.nextInt(31);
            case 8 -> random.nextInt();
            default -> 280;
        };
    }

    /** One mutated file, and a word for what was done to it. */
    private record Case(byte[] bytes, String mutation) {
    }

    private Case mutate() throws IOException {
        byte[] b = seeds.get(random.nextInt(seeds.size())).clone();
        boolean gzipped = b.length > 1 && (b[0] & 0xFF) == 0x1f && (b[1] & 0xFF) == 0x8b;
        StringBuilder what = new StringBuilder(gzipped ? "gz seed" : "seed");
        if (gzipped && random.nextBoolean()) {
            // mutate the content, not the compression, and wrap it again below
            b = new java.util.zip.GZIPInputStream(new ByteArrayInputStream(b)).readAllBytes();
            gzipped = false;
            what.append(", unzipped");
        }
        int steps = 1 + random.nextInt(3);
        for (int s = 0; s < steps; s++) {
            switch (random.nextInt(9)) {
                case 0 -> {
                    int len = b.length == 0 ? 0 : random.nextInt(b.length);
                    b = Arrays.copyOf(b, len);
                    what.append(", cut to ").append(len);
                }
                case 1, 2 -> {
                    int flips = 1 + random.nextInt(8);
                    for (int f = 0; f < flips && b.length > 0; f++) {
                        // mostly in the header, where a flip changes what the reader believes
                        int at = random.nextInt(4) > 0 ? random.nextInt(Math.min(16, b.length)) : random.nextInt(b.length);
                        b[at] ^= (byte) (1 << random.nextInt(8));
                    }
                    what.append(", ").append(flips).append(" bits flipped");
                }
                case 3, 4 -> {
                    if (!gzipped && b.length >= 8) {
                        int field = 1 + random.nextInt(Math.min(3, b.length / 4 - 1));
                        int v = forgedDimension();
                        ByteBuffer.wrap(b).putInt(4 * field, v);
                        what.append(", dimension ").append(field).append(" forged to ").append(v);
                    }
                }
                case 5 -> {
                    if (b.length >= 4) {
                        int v = random.nextBoolean() ? (random.nextBoolean() ? IMAGES : LABELS) : random.nextInt();
                        ByteBuffer.wrap(b).putInt(0, v);
                        what.append(String.format(Locale.ROOT, ", magic 0x%08X", v));
                    }
                }
                case 6 -> {
                    int extra = random.nextInt(8) == 0 ? 1 + random.nextInt(3 << 19) : 1 + random.nextInt(64);
                    b = Arrays.copyOf(b, b.length + extra);
                    what.append(", ").append(extra).append(" trailing bytes");
                }
                case 7 -> {
                    if (!gzipped) {
                        b = gzip(b);
                        gzipped = true;
                        what.append(", gzipped");
                    }
                }
                default -> {
                    // a small bomb with a consistent header: the data is there (zeros), or cut short
                    boolean images = random.nextBoolean();
                    int[] dims = images ? new int[] {forgedDimension(), forgedDimension(), forgedDimension()}
                            : new int[] {forgedDimension()};
                    long promised = 1;
                    for (int d : dims) {
                        promised *= Math.max(0, d);
                    }
                    long zeros = Math.min(promised, random.nextInt(1 << 21));
                    b = gzipBomb(images ? IMAGES : LABELS, dims, zeros);
                    gzipped = true;
                    what.append(", bomb ").append(Arrays.toString(dims)).append(" with ").append(zeros).append(" zeros");
                }
            }
        }
        if (!gzipped && random.nextInt(4) == 0) {
            b = gzip(b);
            what.append(", gzipped");
        }
        return new Case(b, what.toString());
    }

    /** Runs the cases; returns how many. */
    int run(int cases) throws IOException {
        Path images = dir.resolve("train-images-idx3-ubyte");
        Path labels = dir.resolve("train-labels-idx1-ubyte");
        for (int i = 0; i < cases; i++) {
            Case c = i % 1000 == 999 ? new Case(bomb, "the 1.5 MB bomb of 20,000 x 280 x 280") : mutate();
            Files.write(images, c.bytes);
            int reader = random.nextInt(5);
            long t0 = System.nanoTime();
            try {
                switch (reader) {
                    case 0 -> Idx.readImages(images);
                    case 1 -> Idx.readLabels(images);
                    case 2 -> Idx.readImages(new ByteArrayInputStream(c.bytes), "stream");
                    case 3 -> Idx.readLabels(new ByteArrayInputStream(c.bytes), "stream");
                    default -> {
                        Files.write(labels, mutate().bytes);
                        Idx.readDataset(images, labels, 10);
                    }
                }
                read++;
            } catch (IdxFormatException e) {
                if (e.getMessage() == null || e.getMessage().isBlank()) {
                    failures.add("case " + i + " (" + c.mutation + ", reader " + reader + "): empty message");
                }
                if (e.getMessage() != null && e.getMessage().contains("the heap has")) {
                    refusedByHeap++;
                }
                refused++;
            } catch (Throwable t) {
                failures.add("case " + i + " (" + c.mutation + ", reader " + reader + "): " + t);
            }
            long took = System.nanoTime() - t0;
            if (took > slowestNanos) {
                slowestNanos = took;
                slowest = c.mutation;
            }
        }
        return cases;
    }

    /**
     * Runs the fuzzer.
     *
     * @param args the number of cases (default 10,000) and a scratch directory
     * @throws IOException when the scratch files cannot be written
     */
    public static void main(String[] args) throws IOException {
        int cases = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("idx-fuzz");
        PrintStream out = System.out;
        long t0 = System.nanoTime();
        IdxFuzz fuzz = new IdxFuzz(SEED, dir);
        fuzz.run(cases);
        double seconds = (System.nanoTime() - t0) / 1e9;
        for (String f : fuzz.failures.subList(0, Math.min(20, fuzz.failures.size()))) {
            out.println("FAILED " + f);
        }
        out.printf(Locale.ROOT, "IDX fuzzer: %,d cases (seed 0x%X) in %.1f s with a %,d MB heap: %,d read, %,d refused"
                        + " (%,d of them for the heap), %,d failures; slowest case %.0f ms (%s)%n",
                cases, SEED, seconds, Runtime.getRuntime().maxMemory() >> 20, fuzz.read, fuzz.refused,
                fuzz.refusedByHeap, fuzz.failures.size(), fuzz.slowestNanos / 1e6, fuzz.slowest);
        out.flush();
        System.exit(fuzz.failures.isEmpty() ? 0 : 1);
    }
}

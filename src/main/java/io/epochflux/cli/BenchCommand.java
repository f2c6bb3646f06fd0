package io.epochflux.cli;

import io.epochflux.data.Dataset;
import io.epochflux.data.Mnist;
import io.epochflux.data.Split;
import io.epochflux.internal.Shuffle;
import io.epochflux.metrics.TrainingMetrics;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Dense;
import io.epochflux.nn.Optimizer;
import io.epochflux.nn.Sequential;
import io.epochflux.nn.TrainingSession;
import io.epochflux.nn.internal.Kernels;
import io.epochflux.report.ProgressPrinter;
import io.epochflux.stop.EarlyStopping;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.History;
import io.epochflux.train.Trainer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.zip.GZIPInputStream;

/**
 * {@code epochflux bench}: named workloads, warmed up, measured repeatedly, reported as median and
 * spread of milliseconds per epoch, epochs per second and GFLOP/s.
 */
@Command(name = "bench", sortOptions = false, mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Measure training speed and memory.",
            "seed:  the tutorial's 784-2-10 workload, as a bare training loop and through the full train",
            "       pipeline (stream, early stopping, meters, progress lines, history), with plain loops and",
            "       with the Vector API;",
            "large: full-size data (60,000 + 10,000 images, Fashion-MNIST or MNIST via --data-dir), a",
            "       784-256-128-10 network, batch 128, Adam, with 1 and 2 BLAS threads;",
            "churn: 1,000 short runs in one JVM, watching native and heap memory and threads;",
            "concurrent: the seed workload's throughput, one run alone against 8 runs at once on the shared pool;",
            "start: the whole `train --epochs 1 --no-early-stopping --quiet` process, and what 3,000 more epochs add;",
            "lenet: (not in the default set) a LeNet-style conv net on Fashion-MNIST through the DL4J adapter against",
            "       DL4J's own fit loop over the same batches, interleaved; run it with OMP_NUM_THREADS=1."})
final class BenchCommand implements Callable<Integer> {

    private static final List<String> WORKLOADS = List.of("seed", "large", "churn", "concurrent", "start", "lenet");

    /** Where Debian's dataset-fashion-mnist package puts the standard files. */
    static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    @Spec
    CommandSpec spec;

    @Option(names = "--workload", paramLabel = "NAME", split = ",", defaultValue = "seed,large,churn,concurrent,start",
            description = "seed, large, churn, concurrent, start, lenet, comma-separated (default: ${DEFAULT-VALUE}).")
    List<String> workloads = new ArrayList<>();

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs per measured seed run (default: 3000).")
    int seedEpochs = 3000;

    @Option(names = "--repeats", paramLabel = "N", description = "Measured runs per case, after one warm-up run (default: 3).")
    int repeats = 3;

    @Option(names = "--large-epochs", paramLabel = "N", description = "Measured epochs of the large workload, after one warm-up epoch (default: 3).")
    int largeEpochs = 3;

    @Option(names = "--threads", paramLabel = "N", split = ",", defaultValue = "1,2",
            description = "BLAS thread counts for the large workload (default: ${DEFAULT-VALUE}).")
    List<Integer> threads = new ArrayList<>();

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Standard MNIST files for the large workload (default: " + "/usr/share/datasets/fashion-mnist).")
    Path dataDir;

    @Option(names = "--runs", paramLabel = "N", description = "Short runs of the churn workload (default: 1000).")
    int churnRuns = 1000;

    @Option(names = "--lenet-train", paramLabel = "N", defaultValue = "60000",
            description = "Training images of the lenet workload (default: ${DEFAULT-VALUE}, the whole Fashion-MNIST set).")
    int lenetTrain;

    @Option(names = "--lenet-rounds", paramLabel = "N", defaultValue = "3",
            description = "Interleaved rounds of the lenet workload, one epoch each side (default: ${DEFAULT-VALUE}).")
    int lenetRounds;

    @Option(names = "--lenet-early-stopping", paramLabel = "EPOCHS", defaultValue = "0",
            description = "Then train the lenet workload with early stopping (patience 2) for up to EPOCHS epochs and"
                    + " report its test accuracy (default: ${DEFAULT-VALUE}, skipped).")
    int lenetEarlyStopping;

    @Option(names = "--child", hidden = true, description = "Run one large case in this process (used by bench itself).")
    boolean child;

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        Usage.atLeast(spec, "--epochs", seedEpochs, 1);
        Usage.atLeast(spec, "--repeats", repeats, 1);
        Usage.atLeast(spec, "--large-epochs", largeEpochs, 1);
        Usage.atLeast(spec, "--runs", churnRuns, 1);
        for (String w : workloads) {
            if (!WORKLOADS.contains(w)) {
                throw Usage.error(spec, "--workload must be one of " + String.join(", ", WORKLOADS) + ", but was " + w);
            }
        }
        for (int t : threads) {
            Usage.atLeast(spec, "--threads", t, 1);
        }
        if (dataDir != null) {
            // asked for by name: a wrong directory is a usage error, not a skipped workload
            DataOptions.checkDirectory(spec, "--data-dir", dataDir);
        }
        if (child) {
            if (workloads.contains("seed")) {
                seedCases();
            } else if (workloads.contains("churn")) {
                churnRuns();
            } else if (workloads.contains("concurrent")) {
                concurrentRuns();
            } else {
                large(Integer.parseInt(System.getenv().getOrDefault("OMP_NUM_THREADS", "0")));
            }
            return 0;
        }
        out.printf("epochflux bench on %d processors, %s, %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.arch"), Runtime.version());
        for (String w : workloads) {
            switch (w) {
                case "seed" -> seed();
                case "large" -> largeInChildren();
                case "concurrent" -> concurrent();
                case "start" -> start();
                case "lenet" -> new LenetBench(out).run(dataDir == null ? FASHION_MNIST : dataDir, lenetTrain, lenetRounds,
                        lenetEarlyStopping);
                default -> churn();
            }
            out.flush();
        }
        return 0;
    }

    // ---------------------------------------------------------------- seed

    private static Sequential seedModel() {
        return Sequential.builder(784).dense(2, Activation.RELU).dense(10, Activation.SOFTMAX).seed(10).build();
    }

    /** FLOPs of one epoch: forward and backward over the training set, forward over validation. */
    static double flopsPerEpoch(Sequential model, int train, int validation) {
        long forward = 0;
        long first = 0;
        int fanIn = model.inputs();
        for (Dense d : model.layers()) {
            long macs = (long) d.units() * fanIn;
            if (first == 0) {
                first = macs;
            }
            forward += macs;
            fanIn = d.units();
        }
        // forward 2 MAC, weight gradients 2 MAC, input gradients 2 MAC except into the input layer
        double perTrainingExample = 2.0 * forward + 2.0 * forward + 2.0 * (forward - first);
        return perTrainingExample * train + 2.0 * forward * validation;
    }

    private void seed() throws Exception {
        double flops = flopsPerEpoch(seedModel(), 700, 300);
        out.printf("%nseed: 784-2(relu)-10(softmax), SGD lr 0.01, batch 10, 700 training + 300 validation digits,"
                + " %d epochs a run, %d measured runs after 1 warm-up (%.2f MFLOP an epoch)%n", seedEpochs, repeats,
                flops / 1e6);
        out.printf("%-16s %-11s %10s %16s %9s %8s %13s%n", "kernel", "path", "ms/epoch", "p10..p90", "epochs/s",
                "GFLOP/s", "heap B/epoch");
        out.flush();
        Path jar = ownJar();
        if (jar == null) {
            out.println("  (not running from the jar: this JVM's kernel only)");
            seedCases();
            return;
        }
        // a fresh JVM for each: plain loops as a JVM without the module runs them, then the Vector API;
        // a fixed, pre-touched heap, so that the resident memory it reports beyond the heap is native
        List<String> args = List.of("--workload", "seed", "--epochs", String.valueOf(seedEpochs), "--repeats",
                String.valueOf(repeats));
        List<String> heap = List.of("-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch");
        child(jar, false, args, null, heap);
        child(jar, true, args, null, heap);
    }

    private void seedCases() {
        Split split = Mnist.sampleSplit(loadSample(), 700, 300, 10);
        double flops = flopsPerEpoch(seedModel(), 700, 300);
        String name = seedModel().kernelFor(10);
        long residentBefore = Pointer.physicalBytes();
        Stats[] both = measure(() -> bareLoop(split), () -> fullPipeline(split));
        Stats bare = both[0];
        Stats full = both[1];
        print(name, "bare loop", bare, flops);
        print(name, "full train", full, flops);
        out.printf(Locale.ROOT, "%-16s %-11s %10.3f   (stream, early stopping, meters, printer, history)%n", name,
                "overhead", full.median - bare.median);
        out.printf(Locale.ROOT, "%-16s %-11s %10.1f MB resident before the %d runs of %d epochs, %.1f MB after%n", name,
                "memory", residentBefore / 1e6, 2 * (repeats + 1), seedEpochs, Pointer.physicalBytes() / 1e6);
        out.flush();
    }

    private static Path ownJar() throws Exception {
        Path jar = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return Files.isRegularFile(jar) ? jar : null;
    }

    /** Runs {@code bench --child ...} in a fresh JVM and copies its output. */
    private void child(Path jar, boolean vectorModule, List<String> args, Integer ompThreads) throws Exception {
        child(jar, vectorModule, args, ompThreads, ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-Xmx")).toList());
    }

    private void child(Path jar, boolean vectorModule, List<String> args, Integer ompThreads, List<String> jvmArgs)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (vectorModule) {
            command.add("--add-modules");
            command.add("jdk.incubator.vector");
        }
        command.addAll(jvmArgs);
        command.addAll(List.of("-jar", jar.toString(), "bench", "--child"));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (ompThreads != null) {
            pb.environment().put("OMP_NUM_THREADS", String.valueOf(ompThreads));
        }
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        output.lines().filter(l -> !l.startsWith("WARNING: Using incubator")).forEach(out::println);
        if (code != 0) {
            out.println("  (the measuring process failed with exit code " + code + ")");
        }
        out.flush();
    }

    private static Dataset loadSample() {
        try {
            return Mnist.bundledSample();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Milliseconds per epoch and bytes allocated per epoch of one run. */
    private record Sample(double[] millis, double[] allocated) {
    }

    private interface Workload {
        Sample run();
    }

    private record Stats(double median, double p10, double p90, double allocated) {
    }

    /** Warms both up, then alternates their measured runs, so that neither gains from going second. */
    private Stats[] measure(Workload first, Workload second) {
        first.run();
        second.run();
        List<Sample> a = new ArrayList<>();
        List<Sample> b = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            a.add(first.run());
            b.add(second.run());
        }
        return new Stats[] {stats(a), stats(b)};
    }

    private static Stats stats(List<Sample> samples) {
        double[] m = samples.stream().flatMapToDouble(s -> Arrays.stream(s.millis)).sorted().toArray();
        double[] a = samples.stream().flatMapToDouble(s -> Arrays.stream(s.allocated)).sorted().toArray();
        return new Stats(m[m.length / 2], m[m.length / 10], m[m.length * 9 / 10], a.length == 0 ? Double.NaN : a[a.length / 2]);
    }

    private void print(String kernel, String path, Stats s, double flops) {
        out.printf(Locale.ROOT, "%-16s %-11s %10.3f %7.3f..%-7.3f %9.0f %8.2f %13.0f%n", kernel, path, s.median, s.p10,
                s.p90, 1000 / s.median, flops / (s.median / 1000) / 1e9, s.allocated);
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    /** The training loop alone: shuffle, batches, validation, snapshot; no stream. */
    private Sample bareLoop(Split split) {
        Sequential model = seedModel();
        double[] millis = new double[seedEpochs];
        double[] allocated = new double[seedEpochs];
        try (TrainingSession s = model.startTraining(split.train(), Optimizer.sgd(0.01), 10)) {
            int[] order = new int[700];
            Arrays.setAll(order, i -> i);
            SplittableRandom random = new SplittableRandom(10);
            for (int e = 0; e < seedEpochs; e++) {
                long bytes = allocatedBytes();
                long t = System.nanoTime();
                bareEpoch(s, order, random, split.validation());
                millis[e] = (System.nanoTime() - t) / 1e6;
                allocated[e] = allocatedBytes() - bytes;
            }
        }
        return new Sample(millis, allocated);
    }

    /** One epoch as the trainer runs it, in a method of its own so the JIT compiles it as the trainer's. */
    private static void bareEpoch(TrainingSession s, int[] order, SplittableRandom random, Dataset validation) {
        Shuffle.inPlace(order, random);
        s.resetRunning();
        for (int from = 0; from < order.length; from += 10) {
            s.trainBatch(order, from, from + 10);
        }
        s.evaluate(validation);
        s.snapshot();
    }

    /** What {@code train} does: the stream, early stopping, meters, progress lines, history. */
    private Sample fullPipeline(Split split) {
        Sequential model = seedModel();
        Trainer trainer = Trainer.builder().epochs(seedEpochs).batchSize(10).optimizer(Optimizer.sgd(0.01)).seed(10).build();
        EarlyStopping es = EarlyStopping.builder().patience(seedEpochs).build(); // watches every epoch, never stops
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        PrintWriter sink = new PrintWriter(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        ProgressPrinter printer = new ProgressPrinter(sink, seedEpochs, ProgressPrinter.Verbosity.NORMAL, false);
        double[] millis = new double[seedEpochs];
        double[] allocated = new double[seedEpochs];
        long[] last = {System.nanoTime(), allocatedBytes()};
        boolean[] firstOnWorker = {true};
        History history = trainer.fit(model, split.train(), split.validation())
                .transform(es)
                .transform(TrainingMetrics.builder(registry).run("bench").monitor(es).build())
                .doOnNext(printer)
                .doOnNext((EpochMetrics m) -> {
                    long now = System.nanoTime();
                    long bytes = allocatedBytes(); // everything downstream runs on the run's thread
                    int i = m.epoch() - 1;
                    millis[i] = (now - last[0]) / 1e6;
                    allocated[i] = firstOnWorker[0] ? Double.NaN : bytes - last[1];
                    firstOnWorker[0] = false;
                    last[0] = now;
                    last[1] = bytes;
                })
                .as(History::collect)
                .block();
        registry.close();
        if (history.size() != seedEpochs) {
            throw new IllegalStateException("the benchmark run stopped at epoch " + history.size());
        }
        double[] allocatedMeasured = Arrays.stream(allocated).filter(v -> !Double.isNaN(v)).toArray();
        return new Sample(millis, allocatedMeasured);
    }

    // ---------------------------------------------------------------- large

    private Path largeDataDir() {
        return dataDir != null ? dataDir : FASHION_MNIST;
    }

    private void largeInChildren() throws Exception {
        Path dir = largeDataDir();
        if (!Mnist.hasStandardFiles(dir)) {
            out.printf("%nlarge: 784-256(relu)-128(relu)-10(softmax), Adam, batch 128, 1 warm-up + %d measured epochs%n",
                    largeEpochs);
            out.println("  skipped: " + dir + " does not hold the standard MNIST files (Debian: apt-get install"
                    + " dataset-fashion-mnist, or pass --data-dir)");
            return;
        }
        out.printf("%nlarge: 784-256(relu)-128(relu)-10(softmax), Adam, batch 128, %,d training + %,d validation"
                + " images from %s, 1 warm-up + %d measured epochs%n", headerCount(dir, "train-images-idx3-ubyte"),
                headerCount(dir, "t10k-images-idx3-ubyte"), dir, largeEpochs);
        Path jar = ownJar();
        if (jar == null) {
            out.println("  (not running from the jar: one case, with this process's BLAS threads)");
            large(0);
            return;
        }
        for (int t : threads) {
            // OpenMP fixes a thread's team size when the thread starts: a fresh process per thread count
            child(jar, true, List.of("--workload", "large", "--large-epochs", String.valueOf(largeEpochs), "--data-dir",
                    dir.toString()), t);
        }
    }

    /** The image count in a standard file's header, read without loading the file (the children do that). */
    static int headerCount(Path dir, String name) throws IOException {
        Path file = Files.isRegularFile(dir.resolve(name)) ? dir.resolve(name) : dir.resolve(name + ".gz");
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            boolean gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            DataInputStream in = new DataInputStream(gzip ? new GZIPInputStream(raw) : raw);
            in.readInt();
            return in.readInt();
        } catch (IOException e) {
            throw new IOException(file + ": cannot read its header: " + Usage.reason(e), e);
        }
    }

    private void large(int blasThreads) throws Exception {
        if (blasThreads > 0) {
            System.setProperty(Kernels.THREADS_PROPERTY, String.valueOf(blasThreads));
        }
        Mnist.TrainAndTest files = Mnist.directory(largeDataDir());
        Split split = new Split(files.train(), files.test(), files.test());
        Sequential model = Sequential.builder(784).dense(256, Activation.RELU).dense(128, Activation.RELU)
                .dense(10, Activation.SOFTMAX).seed(1).build();
        double flops = flopsPerEpoch(model, split.train().size(), split.validation().size());
        Trainer trainer = Trainer.builder().epochs(1 + largeEpochs).batchSize(128).optimizer(Optimizer.adam()).seed(1).build();
        long before = Pointer.physicalBytes();
        // the process's CPU time beside the wall time: on a shared machine, time spent waiting for a core
        // shows in the wall time only
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        List<Double> cpu = new ArrayList<>();
        long[] lastCpu = {os.getProcessCpuTime()};
        List<EpochMetrics> epochs = trainer.fit(model, split.train(), split.validation())
                .doOnNext(m -> {
                    long now = os.getProcessCpuTime();
                    cpu.add((now - lastCpu[0]) / 1e6);
                    lastCpu[0] = now;
                })
                .collectList().block();
        double[] ms = epochs.stream().skip(1).mapToDouble(m -> m.duration().toNanos() / 1e6).sorted().toArray();
        double median = ms[ms.length / 2];
        double[] cpuMs = cpu.stream().skip(1).mapToDouble(Double::doubleValue).sorted().toArray();
        out.printf(Locale.ROOT, "  %-22s %s threads: %8.0f ms/epoch (%.0f..%.0f), cpu %.0f ms/epoch, %.2f epochs/s,"
                        + " %.1f GFLOP/s (%.1f GFLOP an epoch), val_accuracy %.4f after %d epochs, resident memory %+.0f MB%n",
                model.kernelFor(128), blasThreads == 0 ? "default" : String.valueOf(blasThreads), median, ms[0],
                ms[ms.length - 1], cpuMs[cpuMs.length / 2], 1000 / median, flops / (median / 1000) / 1e9, flops / 1e9,
                epochs.get(epochs.size() - 1).value("val_accuracy").orElse(Double.NaN), epochs.size(),
                (Pointer.physicalBytes() - before) / 1e6);
        double[] floor = productsAlone(model, split.train().size(), split.validation().size(), 128, os);
        out.printf(Locale.ROOT, "  %-22s %s threads: %8.0f ms, cpu %.0f ms: one epoch's BLAS products alone (same shapes,"
                        + " same calls, no copies), %.0f%% of the epoch's cpu%n", "", blasThreads == 0 ? "default"
                        : String.valueOf(blasThreads), floor[0], floor[1], 100 * floor[1] / cpuMs[cpuMs.length / 2]);
    }

    /**
     * Runs one epoch's BLAS products as the kernel calls them (the same shapes, transposes and
     * number of calls, on preallocated native matrices), without the heap work or copies around
     * them: the floor under the epoch. Returns wall and process CPU milliseconds, medians of three.
     */
    private static double[] productsAlone(Sequential model, int train, int validation, int batch,
                                          com.sun.management.OperatingSystemMXBean os) {
        List<int[]> layers = new ArrayList<>(); // {in, out}
        int fanIn = model.inputs();
        for (Dense d : model.layers()) {
            layers.add(new int[] {fanIn, d.units()});
            fanIn = d.units();
        }
        double[] wall = new double[3];
        double[] cpu = new double[3];
        try (Matrices m = new Matrices()) {
            productsOfOneEpoch(layers, train, validation, batch, m); // allocates the matrices: not timed
            for (int r = 0; r < 3; r++) {
                long t = System.nanoTime();
                long c = os.getProcessCpuTime();
                productsOfOneEpoch(layers, train, validation, batch, m);
                wall[r] = (System.nanoTime() - t) / 1e6;
                cpu[r] = (os.getProcessCpuTime() - c) / 1e6;
            }
        }
        Arrays.sort(wall);
        Arrays.sort(cpu);
        return new double[] {wall[1], cpu[1]};
    }

    private static void productsOfOneEpoch(List<int[]> layers, int train, int validation, int batch, Matrices m) {
        for (int from = 0; from < train; from += batch) {
            int rows = Math.min(batch, train - from);
            for (int l = 0; l < layers.size(); l++) {
                int in = layers.get(l)[0];
                int out = layers.get(l)[1];
                if (!Kernels.onBlas((long) rows * out * in)) {
                    continue;
                }
                INDArray x = m.get(0, rows, in);
                INDArray w = m.get(1, out, in);
                INDArray delta = m.get(2, rows, out);
                Nd4j.gemm(x, w, m.get(3, rows, out), false, true, 1.0, 0.0);
                Nd4j.gemm(delta, x, m.get(4, out, in), true, false, 1.0, 0.0);
                if (l > 0) {
                    Nd4j.gemm(delta, w, m.get(5, rows, in), false, false, 1.0, 0.0);
                }
            }
        }
        for (int from = 0; from < validation; from += batch) {
            int rows = Math.min(batch, validation - from);
            for (int[] layer : layers) {
                if (Kernels.onBlas((long) rows * layer[1] * layer[0])) {
                    Nd4j.gemm(m.get(0, rows, layer[0]), m.get(1, layer[1], layer[0]), m.get(3, rows, layer[1]),
                            false, true, 1.0, 0.0);
                }
            }
        }
    }

    /**
     * Preallocated matrices, one per role and shape, filled once, so that {@link #productsAlone}
     * times the products only; the roles keep a product's output apart from its inputs.
     */
    private static final class Matrices implements AutoCloseable {
        private final java.util.Map<List<Integer>, INDArray> byRoleAndShape = new java.util.HashMap<>();

        INDArray get(int role, int rows, int columns) {
            return byRoleAndShape.computeIfAbsent(List.of(role, rows, columns),
                    k -> Nd4j.rand(DataType.FLOAT, rows, columns));
        }

        @Override
        public void close() {
            byRoleAndShape.values().forEach(INDArray::close);
        }
    }

    // ---------------------------------------------------------------- churn

    private void churn() throws Exception {
        out.printf("%nchurn: %d short runs in one JVM (seed workload, 3 epochs each, every other one cancelled after"
                + " its first epoch); a fixed, pre-touched 512 MB heap, so resident memory beyond it is native%n",
                churnRuns);
        Path jar = ownJar();
        if (jar == null) {
            out.println("  (not running from the jar: this JVM's heap settings)");
            churnRuns();
            return;
        }
        child(jar, true, List.of("--workload", "churn", "--runs", String.valueOf(churnRuns)), null,
                List.of("-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch"));
    }

    private void churnRuns() {
        Split split = Mnist.sampleSplit(loadSample(), 700, 300, 10);
        Trainer trainer = Trainer.builder().epochs(3).batchSize(10).optimizer(Optimizer.sgd(0.01)).seed(10).build();
        out.printf("%8s %12s %13s %16s %8s%n", "runs", "resident MB", "heap used MB", "ND4J/JavaCPP MB", "threads");
        var memory = ManagementFactory.getMemoryMXBean();
        for (int r = 0; r <= churnRuns; r++) {
            if (r % Math.max(1, churnRuns / 10) == 0) {
                System.gc();
                out.printf(Locale.ROOT, "%8d %12.1f %13.1f %16.1f %8d%n", r, Pointer.physicalBytes() / 1e6,
                        memory.getHeapMemoryUsage().getUsed() / 1e6, Pointer.totalBytes() / 1e6, Thread.activeCount());
                out.flush();
            }
            if (r == churnRuns) {
                break;
            }
            var run = trainer.fit(seedModel(), split.train(), split.validation());
            if (r % 2 == 0) {
                run.blockLast();
            } else {
                run.take(1).blockLast();
            }
        }
    }

    // ---------------------------------------------------------------- concurrent

    private static final int CONCURRENT_RUNS = 8;

    private void concurrent() throws Exception {
        out.printf("%nconcurrent: the seed workload (%d epochs a run), one run alone, then %d runs at once on the shared"
                + " training pool (%d threads); %d measured rounds after 1 warm-up%n", seedEpochs, CONCURRENT_RUNS,
                io.epochflux.train.TrainingPool.sharedSize(), repeats);
        Path jar = ownJar();
        if (jar == null) {
            out.println("  (not running from the jar: this JVM)");
            concurrentRuns();
            return;
        }
        child(jar, true, List.of("--workload", "concurrent", "--epochs", String.valueOf(seedEpochs), "--repeats",
                String.valueOf(repeats)), null);
    }

    private void concurrentRuns() {
        Split split = Mnist.sampleSplit(loadSample(), 700, 300, 10);
        Trainer trainer = Trainer.builder().epochs(seedEpochs).batchSize(10).optimizer(Optimizer.sgd(0.01)).seed(10).build();
        double[] alone = new double[repeats];
        double[] together = new double[repeats];
        for (int r = -1; r < repeats; r++) { // round -1 warms up
            long t = System.nanoTime();
            trainer.fit(seedModel(), split.train(), split.validation()).blockLast();
            double aloneRate = seedEpochs / ((System.nanoTime() - t) / 1e9);
            t = System.nanoTime();
            List<reactor.core.publisher.Flux<EpochMetrics>> runs = new ArrayList<>();
            for (int i = 0; i < CONCURRENT_RUNS; i++) {
                runs.add(trainer.fit(seedModel(), split.train(), split.validation()));
            }
            reactor.core.publisher.Flux.merge(runs).blockLast();
            double togetherRate = (double) CONCURRENT_RUNS * seedEpochs / ((System.nanoTime() - t) / 1e9);
            if (r >= 0) {
                alone[r] = aloneRate;
                together[r] = togetherRate;
            }
        }
        Arrays.sort(alone);
        Arrays.sort(together);
        double a = alone[repeats / 2];
        double b = together[repeats / 2];
        out.printf(Locale.ROOT, "  one run alone:        %8.0f epochs/s (median; %.0f..%.0f)%n", a, alone[0],
                alone[repeats - 1]);
        out.printf(Locale.ROOT, "  %d runs at once:       %8.0f epochs/s in total (median; %.0f..%.0f), %.2fx one run%n",
                CONCURRENT_RUNS, b, together[0], together[repeats - 1], b / a);
        out.flush();
    }

    // ---------------------------------------------------------------- start

    private static final int START_RUNS = 5;

    /** Whole {@code train} processes, launched as the README launches them, timed from outside. */
    private void start() throws Exception {
        Path jar = ownJar();
        if (jar == null) {
            out.printf("%nstart: skipped, not running from the jar%n");
            return;
        }
        out.printf("%nstart: the whole `train --epochs N --no-early-stopping --quiet` process, launched as %s;"
                + " median of %d%n", Launch.describe(jar), START_RUNS);
        double one = medianProcessMillis(jar, 1);
        double many = medianProcessMillis(jar, 3001);
        out.printf(Locale.ROOT, "  --epochs 1:     %7.0f ms%n", one);
        out.printf(Locale.ROOT, "  --epochs 3001:  %7.0f ms, so %.3f ms an epoch beyond the first (JIT warm-up"
                + " included)%n", many, (many - one) / 3000);
        out.flush();
    }

    private double medianProcessMillis(Path jar, int epochs) throws Exception {
        double[] ms = new double[START_RUNS];
        for (int r = 0; r < START_RUNS; r++) {
            List<String> command = new ArrayList<>(Launch.command(jar));
            command.addAll(List.of("train", "--epochs", String.valueOf(epochs), "--no-early-stopping", "--quiet"));
            long t = System.nanoTime();
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            int code = p.waitFor();
            ms[r] = (System.nanoTime() - t) / 1e6;
            if (code != 0) {
                out.println("  (the train process failed with exit code " + code + ")");
            }
        }
        Arrays.sort(ms);
        return ms[START_RUNS / 2];
    }
}

package io.epochflux.cli;

import io.epochflux.data.Dataset;
import io.epochflux.data.Mnist;
import io.epochflux.data.Split;
import io.epochflux.dl4j.Dl4jModel;
import io.epochflux.internal.Shuffle;
import io.epochflux.nn.Evaluation;
import io.epochflux.stop.EarlyStopping;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.History;
import io.epochflux.train.Trainer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code bench --workload lenet}: a LeNet-style conv net (conv 5x5x20, max-pool 2, conv 5x5x50,
 * max-pool 2, dense 500 relu, softmax; Adam, batch 64) on Fashion-MNIST, trained through
 * epochflux's DL4J adapter and through DL4J's own {@code fit} loop over the same minibatches in
 * the same order, in interleaved rounds (one epoch each a round), reported as each side's median
 * and the median of the per-round ratios: the adapter's overhead. Then, optionally, one run with
 * early stopping and its test accuracy. Run it with {@code OMP_NUM_THREADS=1} for one thread.
 */
final class LenetBench {

    private static final int BATCH = 64;
    private static final long SEED = 123;

    private final PrintWriter out;

    LenetBench(PrintWriter out) {
        this.out = out;
    }

    static MultiLayerConfiguration lenet() {
        return new NeuralNetConfiguration.Builder()
                .seed(SEED)
                .updater(new Adam(1e-3))
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(20).stride(1, 1).activation(Activation.IDENTITY).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(50).stride(1, 1).activation(Activation.IDENTITY).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(500).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1))
                .build();
    }

    void run(Path dataDir, int trainSize, int rounds, int earlyStoppingEpochs) throws IOException {
        Mnist.TrainAndTest files = Mnist.directory(dataDir);
        Dataset train = trainSize >= files.train().size() ? files.train() : files.train().slice(0, trainSize);
        out.printf(Locale.ROOT, "%nlenet: conv5x5x20-pool2-conv5x5x50-pool2-dense500-softmax, Adam 1e-3, batch %d, %,d training"
                + " images of %s, OMP_NUM_THREADS=%s; %d interleaved rounds of one epoch each side%n", BATCH, train.size(),
                dataDir, System.getenv().getOrDefault("OMP_NUM_THREADS", "(unset)"), rounds);
        out.printf("%-6s %16s %16s %8s%n", "round", "epochflux ms", "dl4j fit ms", "ratio");
        out.flush();
        MultiLayerNetwork ours = new MultiLayerNetwork(lenet());
        ours.init();
        MultiLayerNetwork theirs = new MultiLayerNetwork(lenet());
        theirs.init();
        Trainer trainer = Trainer.builder().epochs(1).batchSize(BATCH).seed(SEED).build();
        Dl4jModel model = Dl4jModel.of(ours);
        double[] a = new double[rounds];
        double[] b = new double[rounds];
        double[] ratio = new double[rounds];
        int[] order = new int[train.size()];
        float[] x = train.featureArray();
        float[] y = train.labelArray();
        for (int r = 0; r < rounds; r++) {
            // the same minibatches: epochflux's one-epoch run shuffles once from the trainer's seed
            Arrays.setAll(order, i -> i);
            Shuffle.inPlace(order, new SplittableRandom(SEED));
            // who goes first alternates, so a machine that slows down or warms up favours neither side
            if (r % 2 == 1) {
                b[r] = ownEpochMillis(theirs, x, y, train, order);
            }
            long t0 = System.nanoTime();
            trainer.fit(model, train).blockLast();
            a[r] = (System.nanoTime() - t0) / 1e6;
            if (r % 2 == 0) {
                b[r] = ownEpochMillis(theirs, x, y, train, order);
            }
            ratio[r] = a[r] / b[r];
            out.printf(Locale.ROOT, "%-6d %16.0f %16.0f %8.3f%n", r + 1, a[r], b[r], ratio[r]);
            out.flush();
        }
        out.printf(Locale.ROOT, "median: epochflux %.0f ms an epoch, DL4J's own loop %.0f ms; median of the per-round ratios %.3f"
                + " (the adapter's overhead %+.1f%%)%n", median(a), median(b), median(ratio), (median(ratio) - 1) * 100);
        if (earlyStoppingEpochs > 0) {
            earlyStopped(files, trainSize, earlyStoppingEpochs);
        }
        out.flush();
    }

    private static double ownEpochMillis(MultiLayerNetwork net, float[] x, float[] y, Dataset train, int[] order) {
        long t = System.nanoTime();
        ownEpoch(net, x, y, train.featureCount(), train.labelCount(), order);
        return (System.nanoTime() - t) / 1e6;
    }

    private static void ownEpoch(MultiLayerNetwork net, float[] x, float[] y, int f, int c, int[] order) {
        for (int from = 0; from < order.length; from += BATCH) {
            int rows = Math.min(BATCH, order.length - from);
            float[] bx = new float[rows * f];
            float[] by = new float[rows * c];
            for (int i = 0; i < rows; i++) {
                System.arraycopy(x, order[from + i] * f, bx, i * f, f);
                System.arraycopy(y, order[from + i] * c, by, i * c, c);
            }
            net.fit(new DataSet(Nd4j.create(bx, new long[] {rows, f}, 'c'), Nd4j.create(by, new long[] {rows, c}, 'c')));
        }
        net.incrementEpochCount();
    }

    private void earlyStopped(Mnist.TrainAndTest files, int trainSize, int epochs) {
        Split split = Mnist.kerasSplit(files, Math.min(trainSize, files.train().size() - Mnist.KERAS_VALIDATION_POOL),
                Mnist.KERAS_VALIDATION_POOL, SEED);
        MultiLayerNetwork net = new MultiLayerNetwork(lenet());
        net.init();
        Dl4jModel model = Dl4jModel.of(net);
        out.printf(Locale.ROOT, "early stopping: %,d training, %,d validation images, up to %d epochs, patience 2, best weights"
                + " restored%n", split.train().size(), split.validation().size(), epochs);
        long t0 = System.nanoTime();
        History history = Trainer.builder().epochs(epochs).batchSize(BATCH).seed(SEED).build()
                .fit(model, split.train(), split.validation())
                .transform(EarlyStopping.builder().patience(2).restoreBestWeights(true).build())
                .doOnNext(this::epoch)
                .as(History::collect)
                .block();
        Evaluation test = model.evaluate(split.test(), 500);
        out.printf(Locale.ROOT, "%s; %.0f s; test loss %.4f, accuracy %.4f (%,d images)%n",
                history.stop().map(s -> s.message()).orElse("no stop report"), (System.nanoTime() - t0) / 1e9, test.loss(),
                test.accuracy(), test.examples());
    }

    private void epoch(EpochMetrics m) {
        out.printf(Locale.ROOT, "  epoch %d: %s ms, loss %.4f, accuracy %.4f, val_loss %.4f, val_accuracy %.4f%n", m.epoch(),
                m.duration().toMillis(), m.value("loss").orElse(Double.NaN), m.value("accuracy").orElse(Double.NaN),
                m.value("val_loss").orElse(Double.NaN), m.value("val_accuracy").orElse(Double.NaN));
        out.flush();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}

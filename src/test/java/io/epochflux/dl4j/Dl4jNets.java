package io.epochflux.dl4j;

import io.epochflux.TestData;
import io.epochflux.data.Dataset;
import io.epochflux.data.Mnist;
import io.epochflux.data.Split;
import io.epochflux.internal.Shuffle;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * Small DL4J networks for the tests: a conv net on 28x28 digits, as a list and as a graph, and a
 * dense net (784-hidden-10) that trains an epoch of {@link #small()} in milliseconds.
 */
final class Dl4jNets {

    private Dl4jNets() {
    }

    static MultiLayerConfiguration convConf(long seed, IUpdater updater) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(updater)
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(4).stride(1, 1).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1))
                .build();
    }

    static MultiLayerNetwork conv(long seed) {
        return conv(seed, new Adam(1e-3));
    }

    static MultiLayerNetwork conv(long seed, IUpdater updater) {
        MultiLayerNetwork net = new MultiLayerNetwork(convConf(seed, updater));
        net.init();
        return net;
    }

    static ComputationGraphConfiguration convGraphConf(long seed, IUpdater updater) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(updater)
                .weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("in")
                .addLayer("conv", new ConvolutionLayer.Builder(5, 5).nOut(4).stride(1, 1).activation(Activation.RELU).build(), "in")
                .addLayer("pool", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), "conv")
                .addLayer("dense", new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build(), "pool")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build(), "dense")
                .setOutputs("out")
                .setInputTypes(InputType.convolutionalFlat(28, 28, 1))
                .build();
    }

    static ComputationGraph convGraph(long seed) {
        ComputationGraph graph = new ComputationGraph(convGraphConf(seed, new Adam(1e-3)));
        graph.init();
        return graph;
    }

    /** 300 training and 100 validation digits of the bundled sample: a dense net's epoch takes milliseconds. */
    static Split small() {
        return Mnist.sampleSplit(TestData.sample(), 300, 100, 3);
    }

    /**
     * A dense net 784-{@code hidden}(relu)-10(softmax), cross-entropy.
     *
     * @param retain the probability of keeping an input pixel (DL4J's {@code dropOut}), 1 for no dropout
     */
    static MultiLayerConfiguration denseConf(long seed, IUpdater updater, int hidden, double retain) {
        DenseLayer.Builder dense = new DenseLayer.Builder().nIn(784).nOut(hidden).activation(Activation.RELU);
        if (retain < 1) {
            dense.dropOut(retain);
        }
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(updater)
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(dense.build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(hidden).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build();
    }

    static MultiLayerNetwork dense(long seed, IUpdater updater, int hidden) {
        return init(denseConf(seed, updater, hidden, 1));
    }

    static MultiLayerNetwork init(MultiLayerConfiguration conf) {
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** The dense net as a graph: in -> dense(hidden, relu) -> out(10, softmax). */
    static ComputationGraph denseGraph(long seed, IUpdater updater, int hidden) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(updater)
                .weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nIn(784).nOut(hidden).activation(Activation.RELU).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(hidden).nOut(10)
                        .activation(Activation.SOFTMAX).build(), "dense")
                .setOutputs("out")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /**
     * DL4J's own loop over the minibatches a trainer of this seed and batch size feeds (shuffled
     * every epoch by epochflux's shuffle): {@code fit} each, {@code incrementEpochCount} after each
     * epoch, and {@code beforeEpoch} (given the 0-based epoch) before it.
     */
    static void ownLoop(MultiLayerNetwork net, Dataset train, int epochs, int batch, long seed, IntConsumer beforeEpoch) {
        int[] order = new int[train.size()];
        Arrays.setAll(order, i -> i);
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = train.featureArray();
        float[] y = train.labelArray();
        int f = train.featureCount();
        int c = train.labelCount();
        for (int e = 0; e < epochs; e++) {
            beforeEpoch.accept(e);
            Shuffle.inPlace(order, random);
            for (int from = 0; from < order.length; from += batch) {
                int rows = Math.min(batch, order.length - from);
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
    }
}

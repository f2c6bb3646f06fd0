package io.epochflux.dl4j.internal;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Collection;
import java.util.List;

/**
 * What the adapter needs of a DL4J network, the same for a {@code MultiLayerNetwork} and a
 * {@code ComputationGraph} (one input, one output): the two classes share no interface for most
 * of it.
 */
public interface Network {

    /**
     * @return the network object itself, whose identity keys its lease
     */
    Model model();

    /**
     * @return {@code MultiLayerNetwork} or {@code ComputationGraph}
     */
    String kind();

    /** One iteration on one minibatch, the network's own {@code fit(DataSet)}. */
    void fit(DataSet batch);

    /**
     * @return the score {@code fit} computed for its minibatch before the update: the mean loss
     *         over the minibatch plus the regularization penalty
     */
    double score();

    /**
     * @param data examples, evaluated in inference mode
     * @return the mean loss over the examples plus the regularization penalty
     */
    double score(DataSet data);

    /**
     * @param features inputs
     * @return the outputs in inference mode
     */
    INDArray output(INDArray features);

    /**
     * @return the flat parameter view (writes reach the network)
     */
    INDArray params();

    /**
     * @return the updater's flat state view, or null when the updater keeps none (plain SGD)
     */
    INDArray updaterState();

    /** @return iterations trained */
    int iterationCount();

    /** @param count iterations trained */
    void setIterationCount(int count);

    /** @return epochs trained */
    int epochCount();

    /** @param count epochs trained */
    void setEpochCount(int count);

    /** Counts one more epoch, as DL4J's own loop does at the end of each. */
    void incrementEpochCount();

    /** @param rate the learning rate of every layer from the next iteration on */
    void setLearningRate(double rate);

    /** @return the network's listeners */
    Collection<TrainingListener> listeners();

    /** @param listeners the network's listeners from now on */
    void setListeners(Collection<TrainingListener> listeners);

    /** @return each layer's configuration, in order */
    List<NeuralNetConfiguration> layerConfigurations();

    /** @return the output layer */
    Layer outputLayer();

    /**
     * @return the preprocessor in front of the output layer, or null
     */
    InputPreProcessor outputPreProcessor();

    /**
     * @return the preprocessor in front of the first layer, or null
     */
    InputPreProcessor inputPreProcessor();

    /** @return the seed of the network's configuration */
    long seed();

    /** @return the network's data type */
    DataType dataType();

    /**
     * Finds the input to the output layer among the activations a forward pass reported.
     *
     * @param activations a multi-layer network's list (input first) or a graph's map, as the listener got them
     * @return the activation that feeds the output layer, before its preprocessor
     */
    INDArray outputLayerInput(Object activations);
}

package io.epochflux.dl4j.internal;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/** A {@link MultiLayerNetwork} as a {@link Network}. */
public final class MultiLayerNetworkNetwork implements Network {

    private final MultiLayerNetwork net;

    /**
     * @param net an initialised network
     */
    public MultiLayerNetworkNetwork(MultiLayerNetwork net) {
        this.net = Objects.requireNonNull(net, "net");
    }

    @Override
    public Model model() {
        return net;
    }

    @Override
    public String kind() {
        return "MultiLayerNetwork";
    }

    @Override
    public void fit(DataSet batch) {
        net.fit(batch);
    }

    @Override
    public double score() {
        return net.score();
    }

    @Override
    public double score(DataSet data) {
        return net.score(data, false);
    }

    @Override
    public INDArray output(INDArray features) {
        return net.output(features, false);
    }

    @Override
    public INDArray params() {
        return net.params();
    }

    @Override
    public INDArray updaterState() {
        return net.getUpdater(true).getStateViewArray();
    }

    @Override
    public int iterationCount() {
        return net.getIterationCount();
    }

    @Override
    public void setIterationCount(int count) {
        net.setIterationCount(count);
    }

    @Override
    public int epochCount() {
        return net.getEpochCount();
    }

    @Override
    public void setEpochCount(int count) {
        net.setEpochCount(count);
    }

    @Override
    public void incrementEpochCount() {
        net.incrementEpochCount();
    }

    @Override
    public void setLearningRate(double rate) {
        net.setLearningRate(rate);
    }

    @Override
    public Collection<TrainingListener> listeners() {
        Collection<TrainingListener> l = net.getListeners();
        return l == null ? List.of() : new ArrayList<>(l);
    }

    @Override
    public void setListeners(Collection<TrainingListener> listeners) {
        net.setListeners(new ArrayList<>(listeners));
    }

    @Override
    public List<NeuralNetConfiguration> layerConfigurations() {
        return net.getLayerWiseConfigurations().getConfs();
    }

    @Override
    public Layer outputLayer() {
        return net.getOutputLayer();
    }

    @Override
    public InputPreProcessor outputPreProcessor() {
        return net.getLayerWiseConfigurations().getInputPreProcess(net.getnLayers() - 1);
    }

    @Override
    public InputPreProcessor inputPreProcessor() {
        return net.getLayerWiseConfigurations().getInputPreProcess(0);
    }

    @Override
    public long seed() {
        return net.getLayerWiseConfigurations().getConf(0).getSeed();
    }

    @Override
    public DataType dataType() {
        return net.getLayerWiseConfigurations().getDataType();
    }

    @Override
    public INDArray outputLayerInput(Object activations) {
        // the list starts with the input and stops below the output layer
        List<?> list = (List<?>) activations;
        return (INDArray) list.get(list.size() - 1);
    }
}

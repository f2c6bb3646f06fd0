package io.epochflux.dl4j.internal;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** A {@link ComputationGraph} with one input and one output as a {@link Network}. */
public final class ComputationGraphNetwork implements Network {

    private final ComputationGraph graph;
    private final ComputationGraphConfiguration conf;
    private final String output;

    /**
     * @param graph an initialised graph
     * @throws IllegalArgumentException when it has more than one input or output
     */
    public ComputationGraphNetwork(ComputationGraph graph) {
        this.graph = Objects.requireNonNull(graph, "graph");
        this.conf = graph.getConfiguration();
        if (conf.getNetworkInputs().size() != 1 || conf.getNetworkOutputs().size() != 1) {
            throw new IllegalArgumentException("graph must have one input and one output, but had inputs "
                    + conf.getNetworkInputs() + " and outputs " + conf.getNetworkOutputs());
        }
        this.output = conf.getNetworkOutputs().get(0);
    }

    @Override
    public Model model() {
        return graph;
    }

    @Override
    public String kind() {
        return "ComputationGraph";
    }

    @Override
    public void fit(DataSet batch) {
        graph.fit(batch);
    }

    @Override
    public double score() {
        return graph.score();
    }

    @Override
    public double score(DataSet data) {
        return graph.score(data, false);
    }

    @Override
    public INDArray output(INDArray features) {
        return graph.outputSingle(false, features);
    }

    @Override
    public INDArray params() {
        return graph.params();
    }

    @Override
    public INDArray updaterState() {
        return graph.getUpdater(true).getStateViewArray();
    }

    @Override
    public int iterationCount() {
        return conf.getIterationCount();
    }

    @Override
    public void setIterationCount(int count) {
        conf.setIterationCount(count);
    }

    @Override
    public int epochCount() {
        return conf.getEpochCount();
    }

    @Override
    public void setEpochCount(int count) {
        conf.setEpochCount(count);
    }

    @Override
    public void incrementEpochCount() {
        graph.incrementEpochCount();
    }

    @Override
    public void setLearningRate(double rate) {
        graph.setLearningRate(rate);
    }

    @Override
    public Collection<TrainingListener> listeners() {
        Collection<TrainingListener> l = graph.getListeners();
        return l == null ? List.of() : new ArrayList<>(l);
    }

    @Override
    public void setListeners(Collection<TrainingListener> listeners) {
        graph.setListeners(new ArrayList<>(listeners));
    }

    @Override
    public List<NeuralNetConfiguration> layerConfigurations() {
        List<NeuralNetConfiguration> confs = new ArrayList<>();
        for (Layer layer : graph.getLayers()) {
            confs.add(layer.conf());
        }
        return confs;
    }

    @Override
    public Layer outputLayer() {
        return graph.getOutputLayer(0);
    }

    @Override
    public InputPreProcessor outputPreProcessor() {
        GraphVertex v = conf.getVertices().get(output);
        return v instanceof LayerVertex lv ? lv.getPreProcessor() : null;
    }

    @Override
    public InputPreProcessor inputPreProcessor() {
        String input = conf.getNetworkInputs().get(0);
        for (Map.Entry<String, List<String>> e : conf.getVertexInputs().entrySet()) {
            if (e.getValue().contains(input) && conf.getVertices().get(e.getKey()) instanceof LayerVertex lv) {
                return lv.getPreProcessor();
            }
        }
        return null;
    }

    @Override
    public long seed() {
        return conf.getDefaultConfiguration().getSeed();
    }

    @Override
    public DataType dataType() {
        return conf.getDataType();
    }

    @Override
    public INDArray outputLayerInput(Object activations) {
        Map<?, ?> map = (Map<?, ?>) activations;
        List<String> inputs = conf.getVertexInputs().get(output);
        if (inputs == null || inputs.size() != 1) {
            return null;
        }
        return (INDArray) map.get(inputs.get(0));
    }
}

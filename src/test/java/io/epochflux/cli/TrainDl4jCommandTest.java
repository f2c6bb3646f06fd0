package io.epochflux.cli;

import io.epochflux.dl4j.Dl4jModel;
import io.epochflux.report.RunReport;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train --dl4j FILE}: a DL4J network from its configuration JSON or a saved model. */
class TrainDl4jCommandTest {

    @TempDir
    Path dir;

    static MultiLayerConfiguration conv() {
        return new NeuralNetConfiguration.Builder().seed(5).updater(new Adam(2e-3)).weightInit(WeightInit.XAVIER).list()
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(4).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1))
                .build();
    }

    @Test
    void trainsAConvNetFromItsConfigurationJsonWithEarlyStoppingAndWritesADl4jModel() throws IOException {
        Path json = dir.resolve("conv.json");
        Files.writeString(json, conv().toJson());
        Path out = dir.resolve("run");
        Cli cli = Cli.run("train", "--dl4j", json.toString(), "--epochs", "4", "--batch-size", "32", "--train-size", "300",
                "--val-size", "100", "--patience", "1", "--restore-best-weights", "--out", out.toString());
        assertEquals(0, cli.exitCode, cli.toString());
        assertTrue(cli.out.contains("Training MultiLayerNetwork[ConvolutionLayer(4)-SubsamplingLayer-DenseLayer(16)-OutputLayer(10)]"),
                cli.out);
        assertTrue(cli.out.contains("the network's updater, lr 0.002"), cli.out);
        RunReport report = RunReport.read(out.resolve("report.json"));
        assertEquals("dl4j", ((java.util.Map<?, ?>) report.configuration().get("model")).get("engine"), report.toJson().toString());
        assertTrue(report.testAccuracy().getAsDouble() > 0.1, report.toJson().toString());
        assertTrue(report.provenance().get("kernel").toString().startsWith("dl4j"), report.provenance().toString());
        Dl4jModel saved = Dl4jModel.load(out.resolve("model.zip"));
        assertEquals(report.testLoss().getAsDouble(), saved.evaluate(io.epochflux.TestData.sample().slice(8000, 10000), 256).loss(),
                1e-6, "model.zip holds the weights that were tested");
    }

    @Test
    void trainsASavedNetworkAndContinuesFromItsWeights() throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(conv());
        net.init();
        Path zip = dir.resolve("net.zip");
        Dl4jModel.of(net).save(zip);
        assertArrayEquals(net.params().toFloatVector(), Dl4jModel.load(zip).parameters());
        Cli cli = Cli.run("train", "--dl4j", zip.toString(), "--epochs", "1", "--batch-size", "50", "--train-size", "100",
                "--val-size", "50", "--quiet");
        assertEquals(0, cli.exitCode, cli.toString());
    }

    @Test
    void refusesTheDenseModelsOptionsNamingTheOne() throws IOException {
        Path json = dir.resolve("conv.json");
        Files.writeString(json, conv().toJson());
        for (List<String> option : List.of(List.of("--lr", "0.1"), List.of("--hidden", "8"), List.of("--optimizer", "adam"))) {
            Cli cli = Cli.run("train", "--dl4j", json.toString(), option.get(0), option.get(1), "--epochs", "1");
            assertEquals(2, cli.exitCode, cli.toString());
            assertTrue(cli.err.contains(option.get(0) + " must not be given with --dl4j"), cli.err);
        }
    }

    @Test
    void refusesAMissingOrBrokenFileAndANetworkOfTheWrongWidth() throws IOException {
        Cli missing = Cli.run("train", "--dl4j", dir.resolve("nope.json").toString());
        assertEquals(2, missing.exitCode, missing.toString());
        assertTrue(missing.err.contains("--dl4j must be an existing file, but"), missing.err);

        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"confs\": 3}");
        Cli bad = Cli.run("train", "--dl4j", broken.toString());
        assertEquals(2, bad.exitCode, bad.toString());
        assertTrue(bad.err.contains("--dl4j must be a valid DL4J model or configuration, but " + broken), bad.err);

        Path narrow = dir.resolve("narrow.json");
        Files.writeString(narrow, new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(100).nOut(8).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(10).activation(Activation.SOFTMAX).build())
                .build().toJson());
        Cli wrong = Cli.run("train", "--dl4j", narrow.toString());
        assertEquals(2, wrong.exitCode, wrong.toString());
        assertTrue(wrong.err.contains("must have 100 features (the network's inputs), but"), wrong.err);
    }
}

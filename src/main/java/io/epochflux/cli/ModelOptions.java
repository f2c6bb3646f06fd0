package io.epochflux.cli;

import io.epochflux.nn.Activation;
import io.epochflux.nn.Loss;
import io.epochflux.nn.Sequential;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** The network: hidden layers and their activation, then a softmax layer over the classes. */
final class ModelOptions {

    @Option(names = "--hidden", paramLabel = "UNITS", split = ",", defaultValue = "2",
            description = "Hidden layer widths, comma-separated (default: ${DEFAULT-VALUE}, the seed's Dense(2)).")
    List<Integer> hidden = new ArrayList<>();

    @Option(names = "--activation", paramLabel = "NAME", defaultValue = "relu",
            description = "Activation of the hidden layers: relu, sigmoid, tanh, linear, softmax (default: ${DEFAULT-VALUE}).")
    String activation;

    Sequential build(CommandSpec spec, int inputs, int classes, long seed) {
        Activation a;
        try {
            a = Activation.fromName(activation);
        } catch (IllegalArgumentException e) {
            throw Usage.error(spec, "--" + e.getMessage());
        }
        Sequential.Builder b = Sequential.builder(inputs).seed(seed).loss(Loss.CATEGORICAL_CROSSENTROPY);
        for (int units : hidden) {
            Usage.atLeast(spec, "--hidden units", units, 1);
            b.dense(units, a);
        }
        return b.dense(classes, Activation.SOFTMAX).build();
    }
}

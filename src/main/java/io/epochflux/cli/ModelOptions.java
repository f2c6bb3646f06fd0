package io.epochflux.cli;

import io.epochflux.data.Task;
import io.epochflux.internal.MemoryBudget;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Loss;
import io.epochflux.nn.Sequential;
import io.epochflux.nn.internal.Layout;
import io.epochflux.nn.internal.ModelBudget;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** The network: hidden layers and their activation, then a softmax layer over the classes. */
final class ModelOptions {

    // A plain string, not picocli's split list: the split drops empty entries, so "--hidden ," would
    // silently mean "no hidden layer" and "2,3," would pass
    @Option(names = "--hidden", paramLabel = "UNITS[,UNITS...]", defaultValue = "2",
            description = "Hidden layer widths, comma-separated (default: ${DEFAULT-VALUE}, the seed's Dense(2)).")
    String hidden;

    @Option(names = "--activation", paramLabel = "NAME", defaultValue = "relu",
            description = "Activation of the hidden layers: relu, sigmoid, tanh, linear, softmax (default: ${DEFAULT-VALUE}).")
    String activation;

    /** @return the hidden widths, each checked */
    List<Integer> hiddenUnits(CommandSpec spec) {
        List<Integer> units = new ArrayList<>();
        for (String part : hidden.split(",", -1)) {
            String p = part.trim();
            if (p.isEmpty()) {
                throw Usage.error(spec, "--hidden must be widths separated by single commas, with no empty entry, but was '"
                        + hidden + "'");
            }
            int u;
            try {
                u = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw Usage.error(spec, "--hidden units must be whole numbers, but was '" + p + "' in '" + hidden + "'");
            }
            Usage.atLeast(spec, "--hidden units", u, 1);
            units.add(u);
        }
        return units;
    }

    private Activation activation(CommandSpec spec) {
        try {
            return Activation.fromName(activation);
        } catch (IllegalArgumentException e) {
            throw Usage.error(spec, "--" + e.getMessage());
        }
    }

    /**
     * Checks the options and that {@code runs} such models, training at once with {@code batchSize},
     * fit the heap; a model too large is a usage error naming {@code --hidden}, before anything is
     * allocated.
     */
    void check(CommandSpec spec, int inputs, int classes, int batchSize, int runs) {
        check(spec, inputs, classes, batchSize, runs, Task.CLASSIFICATION);
    }

    /** As {@link #check(CommandSpec, int, int, int, int)}, with a regression's linear outputs for {@code Task.REGRESSION}. */
    void check(CommandSpec spec, int inputs, int classes, int batchSize, int runs, Task task) {
        List<Integer> units = hiddenUnits(spec);
        Activation a = activation(spec);
        int[] widths = new int[units.size() + 1];
        Activation[] activations = new Activation[widths.length];
        for (int i = 0; i < units.size(); i++) {
            widths[i] = units.get(i);
            activations[i] = a;
        }
        widths[units.size()] = classes;
        activations[units.size()] = output(task);
        Layout layout;
        try {
            layout = new Layout(inputs, widths, activations, loss(task));
        } catch (IllegalArgumentException e) {
            throw Usage.error(spec, "--hidden " + hidden + ": " + e.getMessage());
        }
        long bytes = MemoryBudget.product(ModelBudget.trainingBytes(layout, batchSize), runs);
        try {
            MemoryBudget.checkFits(String.format(java.util.Locale.ROOT, "--hidden %s: %s%s (%,d parameters)",
                    hidden, runs == 1 ? "the model " : runs + " runs of the model ", layout.describe(),
                    layout.parameterCount()), bytes, "use narrower layers");
        } catch (IllegalArgumentException e) {
            throw Usage.error(spec, e.getMessage());
        }
    }

    Sequential build(CommandSpec spec, int inputs, int classes, long seed) {
        return build(spec, inputs, classes, seed, Task.CLASSIFICATION);
    }

    /**
     * Builds the model: the hidden layers, then a softmax over the classes with cross-entropy, or
     * for a regression one linear output a target with the mean squared error.
     */
    Sequential build(CommandSpec spec, int inputs, int outputs, long seed, Task task) {
        Activation a = activation(spec);
        Sequential.Builder b = Sequential.builder(inputs).seed(seed).loss(loss(task));
        for (int units : hiddenUnits(spec)) {
            b.dense(units, a);
        }
        try {
            return b.dense(outputs, output(task)).build();
        } catch (IllegalArgumentException e) {
            // the library's own heap check, should the heap have filled since check(...)
            throw Usage.error(spec, "--hidden " + hidden + ": " + e.getMessage());
        }
    }

    private static Activation output(Task task) {
        return task == Task.REGRESSION ? Activation.LINEAR : Activation.SOFTMAX;
    }

    private static Loss loss(Task task) {
        return task == Task.REGRESSION ? Loss.MEAN_SQUARED_ERROR : Loss.CATEGORICAL_CROSSENTROPY;
    }
}

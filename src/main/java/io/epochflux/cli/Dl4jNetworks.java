package io.epochflux.cli;

import io.epochflux.dl4j.Dl4jModel;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code train --dl4j FILE}: a DL4J network from a file the user names on the command line (never
 * from a request: DL4J's JSON names Java classes to instantiate). Kept apart from the commands so
 * DL4J's classes load only when the option is used.
 */
final class Dl4jNetworks {

    private Dl4jNetworks() {
    }

    /**
     * Reads a network saved with DL4J's {@code ModelSerializer} (a zip, with its updater state),
     * or a configuration written by {@code toJson()} (initialised from its own seed).
     *
     * @param spec the command, for usage errors
     * @param file the file
     * @return the model
     */
    static Dl4jModel load(CommandSpec spec, Path file) {
        if (!Files.isRegularFile(file)) {
            throw Usage.error(spec, "--dl4j must be an existing file, but " + file + (Files.exists(file) ? " is a directory"
                    : " does not exist"));
        }
        byte[] head = new byte[2];
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.readNBytes(head, 0, 2);
            if (n == 2 && head[0] == 'P' && head[1] == 'K') {
                return Dl4jModel.load(file);
            }
            String json = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (!json.startsWith("{")) {
                throw Usage.error(spec, "--dl4j must be a DL4J model zip (ModelSerializer) or a configuration JSON (toJson()), "
                        + "but " + file + " is neither");
            }
            if (json.contains("\"vertices\"")) {
                ComputationGraph graph = new ComputationGraph(ComputationGraphConfiguration.fromJson(json));
                graph.init();
                return Dl4jModel.of(graph);
            }
            MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(json));
            net.init();
            return Dl4jModel.of(net);
        } catch (IOException e) {
            throw Usage.error(spec, "--dl4j must be a readable DL4J model or configuration, but " + file + " cannot be read: "
                    + Usage.reason(e));
        } catch (RuntimeException e) {
            if (e instanceof picocli.CommandLine.ParameterException) {
                throw e;
            }
            throw Usage.error(spec, "--dl4j must be a valid DL4J model or configuration, but " + file + " was refused: "
                    + firstLine(e));
        }
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}

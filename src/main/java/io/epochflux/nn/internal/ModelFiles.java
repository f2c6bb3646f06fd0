package io.epochflux.nn.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epochflux.internal.AtomicFiles;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Loss;
import io.epochflux.nn.ModelFileException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The model file: a zip holding {@code model.json} (format, version, shape, loss, seed, and the
 * SHA-256 of the parameters) and, per layer, its Keras-layout kernel and its biases in ND4J's
 * binary array format.
 */
public final class ModelFiles {

    static final String FORMAT = "epochflux-model";
    static final int VERSION = 1;
    private static final String CONFIG = "model.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModelFiles() {
    }

    /**
     * What a model file holds.
     *
     * @param layout the network's shape
     * @param seed the seed of its initial weights
     * @param parameters the flat parameters as {@link Layout} arranges them
     */
    public record Loaded(Layout layout, long seed, float[] parameters) {
    }

    /**
     * Writes a model file atomically.
     *
     * @param file the target
     * @param layout the shape
     * @param seed the initial-weight seed
     * @param parameters the flat parameters
     * @throws IOException when writing fails; the target is then unchanged
     */
    public static void save(Path file, Layout layout, long seed, float[] parameters) throws IOException {
        ObjectNode config = JSON.createObjectNode();
        config.put("format", FORMAT);
        config.put("version", VERSION);
        config.put("inputs", layout.inputs());
        ArrayNode layers = config.putArray("layers");
        for (int l = 0; l < layout.layers(); l++) {
            ObjectNode layer = layers.addObject();
            layer.put("units", layout.units(l));
            layer.put("activation", layout.activation(l).kerasName());
        }
        config.put("loss", layout.loss().kerasName());
        config.put("seed", seed);
        config.put("parameterCount", layout.parameterCount());
        config.put("parametersSha256", sha256(parameters));
        AtomicFiles.write(file, raw -> {
            try (ZipOutputStream zip = new ZipOutputStream(raw)) {
                zip.putNextEntry(new ZipEntry(CONFIG));
                zip.write(JSON.writeValueAsBytes(config));
                zip.closeEntry();
                for (int l = 0; l < layout.layers(); l++) {
                    writeArray(zip, "layer-" + l + "-kernel.nd4j", kernel(layout, parameters, l));
                    int b = layout.biasOffset(l);
                    writeArray(zip, "layer-" + l + "-bias.nd4j",
                            Nd4j.create(Arrays.copyOfRange(parameters, b, b + layout.units(l)), new long[] {layout.units(l)}, 'c'));
                }
            }
        });
    }

    private static INDArray kernel(Layout layout, float[] parameters, int l) {
        int out = layout.units(l);
        int in = layout.fanIn(l);
        float[] k = new float[in * out];
        int offset = layout.weightOffset(l);
        for (int j = 0; j < out; j++) {
            for (int i = 0; i < in; i++) {
                k[i * out + j] = parameters[offset + j * in + i];
            }
        }
        return Nd4j.create(k, new long[] {in, out}, 'c');
    }

    private static void writeArray(ZipOutputStream zip, String name, INDArray array) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Nd4j.write(array, out);
        }
        zip.write(bytes.toByteArray());
        zip.closeEntry();
    }

    /**
     * Reads and checks a model file.
     *
     * @param file the model file
     * @return what it holds
     * @throws IOException when it cannot be read or is not a valid model file
     */
    public static Loaded load(Path file) throws IOException {
        String name = file.toString();
        Map<String, byte[]> entries = new HashMap<>();
        try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                entries.put(entry.getName(), zip.readAllBytes());
            }
        } catch (ZipException e) {
            throw new ModelFileException(name, "not a model file: it is not a readable zip (" + e.getMessage() + ")");
        }
        byte[] configBytes = entries.get(CONFIG);
        if (configBytes == null) {
            throw new ModelFileException(name, "not a model file: it has no " + CONFIG + " entry");
        }
        JsonNode config;
        try {
            config = JSON.readTree(configBytes);
        } catch (IOException e) {
            throw new ModelFileException(name, CONFIG + " is not valid JSON (" + e.getMessage() + ")");
        }
        if (!FORMAT.equals(config.path("format").asText())) {
            throw new ModelFileException(name, "format must be '" + FORMAT + "', but was '" + config.path("format").asText() + "'");
        }
        if (config.path("version").asInt(-1) != VERSION) {
            throw new ModelFileException(name, "version must be " + VERSION + ", but was " + config.path("version"));
        }
        Layout layout;
        try {
            int inputs = config.path("inputs").asInt(0);
            JsonNode layers = config.path("layers");
            int[] units = new int[layers.size()];
            Activation[] activations = new Activation[layers.size()];
            for (int l = 0; l < units.length; l++) {
                units[l] = layers.get(l).path("units").asInt(0);
                activations[l] = Activation.fromName(layers.get(l).path("activation").asText());
                if (units[l] < 1) {
                    throw new IllegalArgumentException("layer " + l + " units must be >= 1, but was " + units[l]);
                }
            }
            if (inputs < 1) {
                throw new IllegalArgumentException("inputs must be >= 1, but was " + inputs);
            }
            layout = new Layout(inputs, units, activations, Loss.fromName(config.path("loss").asText()));
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(name, "invalid configuration: " + e.getMessage());
        }
        float[] parameters = new float[layout.parameterCount()];
        for (int l = 0; l < layout.layers(); l++) {
            int out = layout.units(l);
            int in = layout.fanIn(l);
            INDArray kernel = readArray(name, entries, "layer-" + l + "-kernel.nd4j", new long[] {in, out});
            INDArray bias = readArray(name, entries, "layer-" + l + "-bias.nd4j", new long[] {out});
            float[] k = kernel.castTo(DataType.FLOAT).dup('c').data().asFloat();
            int offset = layout.weightOffset(l);
            for (int j = 0; j < out; j++) {
                for (int i = 0; i < in; i++) {
                    parameters[offset + j * in + i] = k[i * out + j];
                }
            }
            System.arraycopy(bias.castTo(DataType.FLOAT).data().asFloat(), 0, parameters, layout.biasOffset(l), out);
        }
        String expected = config.path("parametersSha256").asText();
        String found = sha256(parameters);
        if (!found.equals(expected)) {
            throw new ModelFileException(name, "parameters are damaged: their SHA-256 is " + found + ", but " + CONFIG
                    + " says " + expected);
        }
        return new Loaded(layout, config.path("seed").asLong(), parameters);
    }

    private static INDArray readArray(String file, Map<String, byte[]> entries, String entry, long[] shape)
            throws IOException {
        byte[] bytes = entries.get(entry);
        if (bytes == null) {
            throw new ModelFileException(file, "entry " + entry + " is missing");
        }
        INDArray array;
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            array = Nd4j.read(in);
        } catch (IOException | RuntimeException e) {
            throw new ModelFileException(file, "entry " + entry + " is not a readable array (" + e.getMessage() + ")");
        }
        if (!Arrays.equals(array.shape(), shape)) {
            throw new ModelFileException(file, "entry " + entry + " must have shape " + Arrays.toString(shape)
                    + " as " + CONFIG + " says, but has " + Arrays.toString(array.shape()));
        }
        return array;
    }

    static String sha256(float[] values) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            ByteBuffer buffer = ByteBuffer.allocate(values.length * 4);
            for (float v : values) {
                buffer.putFloat(v);
            }
            return HexFormat.of().formatHex(sha.digest(buffer.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}

package io.epochflux.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epochflux.data.Dataset;
import io.epochflux.nn.OptimizerState;
import io.epochflux.nn.Trainable;
import io.epochflux.stop.RuleState;
import io.epochflux.stop.RuleStates;
import io.epochflux.train.Checkpoint;
import io.epochflux.train.Trainer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A directory of checkpoint files, {@code epoch-000123.ckpt}, keeping the last K.
 *
 * <p><b>Writing.</b> A checkpoint is written to a temporary file beside its target, forced to
 * disk ({@code FileChannel.force}), renamed over the target and the directory forced too, so that
 * after a crash at any point the directory holds either the whole new file or none of it; older
 * files beyond the last K are deleted only after that. Temporary files a killed writer left
 * behind are deleted by the next write.
 *
 * <p><b>Reading.</b> {@link #latest} tries the files newest first and takes the first one that
 * reads whole (the zip's directory present, every entry's CRC and every binary's SHA-256 right)
 * and fits the run being continued (model shape, trainer settings, seed, training data); each one
 * refused is reported with its file name and the reason.
 *
 * <p><b>Format</b> (version 1): a zip holding {@code checkpoint.json} (format
 * {@code epochflux-checkpoint}, version, epoch, shuffles, seed, trainer settings, model
 * description, parameter count, training-data SHA-256, {@code OMP_NUM_THREADS}, the optimizer's
 * name, step and slot names, the stop rules' descriptions and named values, the attachment names,
 * and the SHA-256 of every other entry), {@code checkpoint.json.sha256} (the JSON's own SHA-256,
 * in hex; a guard against damage, not against a forger, who can rewrite both), {@code weights.f32}, {@code optimizer/<slot>.f32},
 * {@code rules/<i>.f32} for a rule that keeps weights, and {@code attachments/<name>}. Floats
 * are little-endian IEEE 754 binary32; rule values are written as Java's shortest round-trip
 * decimal text ({@code "NaN"} and {@code "Infinity"} included), so they read back bit for bit.
 *
 * <p><b>Test-only fault hook.</b> When the system property
 * {@value #PAUSE_PROPERTY} is a number of milliseconds when this class loads, every write pauses
 * that long after the temporary file is forced and before it is renamed, so a test can kill the
 * process in the middle of a write. It is read once and is not meant for anything else.
 */
public final class CheckpointStore {

    /** The test-only fault hook's system property; see the class description. */
    public static final String PAUSE_PROPERTY = "epochflux.test.checkpointPause";

    static final String FORMAT = "epochflux-checkpoint";
    static final int VERSION = 1;
    private static final String JSON_ENTRY = "checkpoint.json";
    /** The SHA-256 of {@link #JSON_ENTRY}, in hex. */
    private static final String JSON_SUM_ENTRY = "checkpoint.json.sha256";
    private static final Pattern NAME = Pattern.compile("epoch-(\\d{6,})\\.ckpt");
    private static final long PAUSE_MS = Long.getLong(PAUSE_PROPERTY, 0L);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final int keep;

    private CheckpointStore(Path dir, int keep) {
        this.dir = dir;
        this.keep = keep;
    }

    /**
     * A store in a directory (created on the first write).
     *
     * @param dir the directory
     * @param keep how many of the newest checkpoints to keep, {@code >= 1}
     * @return the store
     */
    public static CheckpointStore in(Path dir, int keep) {
        Objects.requireNonNull(dir, "dir");
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, but was " + keep);
        }
        return new CheckpointStore(dir.toAbsolutePath(), keep);
    }

    /** @return the directory */
    public Path dir() {
        return dir;
    }

    /**
     * The file a checkpoint of an epoch goes to.
     *
     * @param epoch the epoch, {@code >= 1}
     * @return {@code dir/epoch-000123.ckpt}
     */
    public Path fileFor(int epoch) {
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be >= 1, but was " + epoch);
        }
        return dir.resolve(String.format("epoch-%06d.ckpt", epoch));
    }

    /**
     * Writes a resume point atomically and durably, then deletes checkpoints beyond the newest K.
     *
     * @param point the resume point
     * @return the file written
     * @throws IOException when writing fails; the directory then holds what it held before
     */
    public Path write(ResumePoint point) throws IOException {
        Objects.requireNonNull(point, "point");
        byte[] bytes = encode(point);
        Files.createDirectories(dir);
        deleteTemporaries();
        Path target = fileFor(point.epoch());
        Path tmp = dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            pauseForTests();
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
            forceDirectory();
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
        prune();
        return target;
    }

    /**
     * {@link #write} for a {@code Consumer}: an I/O failure is thrown as {@link UncheckedIOException}
     * (which fails the stream when called from {@link Checkpoints}).
     *
     * @param point the resume point
     */
    public void writeUnchecked(ResumePoint point) {
        try {
            write(point);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Lists the checkpoint files, newest (highest epoch) first.
     *
     * @return the files; empty when the directory does not exist
     * @throws IOException when the directory cannot be read
     */
    public List<Path> list() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "epoch-*.ckpt")) {
            for (Path p : entries) {
                if (NAME.matcher(p.getFileName().toString()).matches()) {
                    files.add(p);
                }
            }
        }
        files.sort(Comparator.comparingLong(CheckpointStore::epochOf).reversed());
        return files;
    }

    /**
     * What {@link #latest} found.
     *
     * @param file the newest good checkpoint's file, if any
     * @param point what it holds, if any
     * @param refused one line per newer file refused: its name and why
     */
    public record Lookup(Optional<Path> file, Optional<ResumePoint> point, List<String> refused) {
        /**
         * Checks the parts.
         *
         * @param file the file
         * @param point the resume point
         * @param refused the refusals
         */
        public Lookup {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(point, "point");
            refused = List.copyOf(refused);
        }
    }

    /**
     * Finds the newest checkpoint that reads whole and fits a run of {@code trainer} on
     * {@code model} and {@code train}, skipping (and reporting) damaged and foreign ones.
     *
     * @param trainer the trainer of the run to continue
     * @param model its model
     * @param train its training data
     * @return the newest good checkpoint, if any, and the refusals
     * @throws IOException when the directory cannot be read
     */
    public Lookup latest(Trainer trainer, Trainable model, Dataset train) throws IOException {
        Objects.requireNonNull(trainer, "trainer");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(train, "train");
        List<String> refused = new ArrayList<>();
        for (Path file : list()) {
            ResumePoint point;
            try {
                point = read(file);
            } catch (CheckpointException e) {
                refused.add(e.getMessage());
                continue;
            }
            try {
                point.run().checkFits(trainer, model, train);
            } catch (IllegalArgumentException e) {
                refused.add(file + ": " + e.getMessage());
                continue;
            }
            return new Lookup(Optional.of(file), Optional.of(point), refused);
        }
        return new Lookup(Optional.empty(), Optional.empty(), refused);
    }

    /**
     * Reads one checkpoint file, checking that it is whole.
     *
     * @param file the file
     * @return what it holds
     * @throws CheckpointException naming the file and what is wrong with it
     */
    public static ResumePoint read(Path file) throws CheckpointException {
        Objects.requireNonNull(file, "file");
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try {
            // ZipFile needs the central directory at the end, so a truncated file fails here
            try (ZipFile zip = new ZipFile(file.toFile())) {
                if (zip.getEntry(JSON_ENTRY) == null) {
                    throw new CheckpointException(file, "is not a checkpoint: it has no " + JSON_ENTRY);
                }
            }
            // ZipInputStream checks every entry's CRC-32 and size as it reads
            try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
                for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                    entries.put(e.getName(), zip.readAllBytes());
                }
            }
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(file, "is damaged or not a checkpoint (" + e.getMessage() + ")", e);
        }
        try {
            return decode(file, entries);
        } catch (IOException | RuntimeException e) {
            if (e instanceof CheckpointException c) {
                throw c;
            }
            throw new CheckpointException(file, "is damaged or not a checkpoint (" + e + ")", e);
        }
    }

    static byte[] encode(ResumePoint point) throws IOException {
        Checkpoint run = point.run();
        Map<String, byte[]> binaries = new LinkedHashMap<>();
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("epoch", run.epoch());
        root.put("shuffles", run.shuffles());
        root.put("seed", run.seed());
        root.put("model", run.model());
        float[] weights = run.weights();
        root.put("parameters", weights.length);
        root.put("train_sha256", run.trainDigest());
        if (run.ompNumThreads().isPresent()) {
            root.put("omp_num_threads", run.ompNumThreads().get());
        } else {
            root.putNull("omp_num_threads");
        }
        ObjectNode settings = root.putObject("settings");
        run.settings().forEach(settings::put);
        binaries.put("weights.f32", floats(weights));
        OptimizerState o = run.optimizer();
        ObjectNode optimizer = root.putObject("optimizer");
        optimizer.put("name", o.optimizer());
        optimizer.put("step", o.step());
        ArrayNode slots = optimizer.putArray("slots");
        for (String slot : o.slotNames()) {
            slots.add(slot);
            binaries.put("optimizer/" + slot + ".f32", floats(o.slot(slot)));
        }
        ArrayNode rules = root.putArray("rules");
        List<RuleStates.Saved> saved = point.rules();
        for (int i = 0; i < saved.size(); i++) {
            RuleStates.Saved s = saved.get(i);
            ObjectNode rule = rules.addObject();
            rule.put("rule", s.rule());
            ObjectNode values = rule.putObject("values");
            // Double.toString round-trips every double exactly, NaN and infinities included
            s.state().values().forEach((k, v) -> values.put(k, Double.toString(v)));
            if (s.state().weightsEpoch().isPresent()) {
                rule.put("weights_epoch", s.state().weightsEpoch().getAsInt());
                binaries.put("rules/" + i + ".f32", floats(s.state().weights().orElseThrow()));
            } else {
                rule.putNull("weights_epoch");
            }
        }
        ArrayNode attachments = root.putArray("attachments");
        for (String name : point.attachmentNames()) {
            attachments.add(name);
            binaries.put("attachments/" + name, point.attachment(name).orElseThrow());
        }
        ObjectNode sums = root.putObject("sha256");
        binaries.forEach((name, bytes) -> sums.put(name, sha256(bytes)));

        ByteArrayOutputStream out = new ByteArrayOutputStream(weights.length * 4 * 4 + 4096);
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.setLevel(java.util.zip.Deflater.BEST_SPEED); // floats hardly compress; the write sits on the run's thread
            byte[] json = JSON.writeValueAsBytes(root);
            zip.putNextEntry(new ZipEntry(JSON_ENTRY));
            zip.write(json);
            zip.closeEntry();
            // the JSON names every other entry's SHA-256; this one covers the JSON itself
            zip.putNextEntry(new ZipEntry(JSON_SUM_ENTRY));
            zip.write(sha256(json).getBytes(StandardCharsets.US_ASCII));
            zip.closeEntry();
            for (Map.Entry<String, byte[]> e : binaries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static ResumePoint decode(Path file, Map<String, byte[]> entries) throws IOException {
        byte[] json = entries.get(JSON_ENTRY);
        if (json == null) {
            throw new CheckpointException(file, "is not a checkpoint: it has no " + JSON_ENTRY);
        }
        byte[] sum = entries.get(JSON_SUM_ENTRY);
        if (sum != null) { // absent from checkpoints written before it existed: those rely on the zip's CRC-32
            String expected = new String(sum, StandardCharsets.US_ASCII).trim();
            String actual = sha256(json);
            if (!actual.equals(expected)) {
                throw new CheckpointException(file, "checksum of " + JSON_ENTRY + " must be " + expected + ", but was " + actual);
            }
        }
        JsonNode root = JSON.readTree(new ByteArrayInputStream(json));
        if (!FORMAT.equals(root.path("format").asText())) {
            throw new CheckpointException(file, "format must be " + FORMAT + ", but was '" + root.path("format").asText() + "'");
        }
        if (root.path("version").asInt(-1) != VERSION) {
            throw new CheckpointException(file, "version must be " + VERSION + ", but was " + root.path("version"));
        }
        JsonNode sums = require(file, root, "sha256");
        for (Map.Entry<String, JsonNode> e : sums.properties()) {
            byte[] bytes = entries.get(e.getKey());
            if (bytes == null) {
                throw new CheckpointException(file, "is truncated: entry " + e.getKey() + " is missing");
            }
            String actual = sha256(bytes);
            if (!actual.equals(e.getValue().asText())) {
                throw new CheckpointException(file, "checksum of " + e.getKey() + " must be " + e.getValue().asText()
                        + ", but was " + actual);
            }
        }
        int parameters = require(file, root, "parameters").asInt();
        float[] weights = floats(file, entries, sums, "weights.f32", parameters);
        JsonNode o = require(file, root, "optimizer");
        Map<String, float[]> slots = new LinkedHashMap<>();
        for (JsonNode slot : require(file, o, "slots")) {
            slots.put(slot.asText(), floats(file, entries, sums, "optimizer/" + slot.asText() + ".f32", -1));
        }
        OptimizerState optimizer = OptimizerState.of(require(file, o, "name").asText(), require(file, o, "step").asLong(), slots);
        Map<String, String> settings = new LinkedHashMap<>();
        require(file, root, "settings").properties().forEach(e -> settings.put(e.getKey(), e.getValue().asText()));
        JsonNode omp = root.path("omp_num_threads");
        Checkpoint run = new Checkpoint(require(file, root, "epoch").asInt(), weights, optimizer,
                require(file, root, "shuffles").asInt(), require(file, root, "seed").asLong(), settings,
                require(file, root, "model").asText(), require(file, root, "train_sha256").asText(),
                omp.isTextual() ? Optional.of(omp.asText()) : Optional.empty());
        List<RuleStates.Saved> rules = new ArrayList<>();
        int i = 0;
        for (JsonNode rule : require(file, root, "rules")) {
            RuleState.Builder state = RuleState.builder();
            require(file, rule, "values").properties().forEach(e -> state.put(e.getKey(), Double.parseDouble(e.getValue().asText())));
            JsonNode we = rule.path("weights_epoch");
            if (we.isInt()) {
                state.weights(we.asInt(), floats(file, entries, sums, "rules/" + i + ".f32", -1));
            }
            rules.add(new RuleStates.Saved(require(file, rule, "rule").asText(), state.build()));
            i++;
        }
        ResumePoint point = ResumePoint.of(run, rules);
        for (JsonNode name : require(file, root, "attachments")) {
            String entry = "attachments/" + name.asText();
            if (!sums.has(entry)) {
                throw new CheckpointException(file, "attachment " + name.asText() + " must have a checksum, but has none");
            }
            point = point.withAttachment(name.asText(), entries.get(entry));
        }
        return point;
    }

    private static JsonNode require(Path file, JsonNode node, String field) throws CheckpointException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new CheckpointException(file, JSON_ENTRY + " must have '" + field + "', but has none");
        }
        return v;
    }

    private static float[] floats(Path file, Map<String, byte[]> entries, JsonNode sums, String name, int count)
            throws CheckpointException {
        byte[] bytes = entries.get(name);
        if (bytes == null || !sums.has(name)) {
            throw new CheckpointException(file, "is truncated: entry " + name + " is missing");
        }
        if (bytes.length % 4 != 0 || count >= 0 && bytes.length != count * 4L) {
            throw new CheckpointException(file, "entry " + name + " must hold " + (count >= 0 ? count + " floats" : "whole floats")
                    + ", but holds " + bytes.length + " bytes");
        }
        float[] values = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    private static byte[] floats(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer.array();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 must be available in every Java runtime", e);
        }
    }

    private static long epochOf(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    private void prune() throws IOException {
        List<Path> files = list();
        for (int i = keep; i < files.size(); i++) {
            Files.deleteIfExists(files.get(i));
        }
    }

    /** Temporary files left by a writer that was killed: this store has one writer, so none is in use. */
    private void deleteTemporaries() throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, ".epoch-*")) {
            for (Path p : entries) {
                if (p.getFileName().toString().endsWith(".tmp")) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private void forceDirectory() throws IOException {
        // the rename lives in the directory: without this a crash may forget it although the file is on disk
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // some file systems cannot open a directory for reading; the file itself is durable
            if (!System.getProperty("os.name", "").startsWith("Windows")) {
                throw e;
            }
        }
    }

    private static void pauseForTests() {
        if (PAUSE_MS > 0) {
            try {
                Thread.sleep(PAUSE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

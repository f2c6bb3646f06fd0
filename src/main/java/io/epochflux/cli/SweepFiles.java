package io.epochflux.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epochflux.internal.AtomicFiles;
import io.epochflux.internal.Format;
import io.epochflux.nn.Activation;
import io.epochflux.report.HistoryCsv;
import io.epochflux.sweep.Trial;
import io.epochflux.sweep.TrialConfig;
import io.epochflux.sweep.TrialResult;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.History;
import io.epochflux.train.StopReport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * A sweep's files: {@code trials/NAME/trial.json} and {@code history.csv} per finished trial (what
 * a resume and a merge read back), {@code trials.csv}, {@code best.json}, and the results table.
 */
final class SweepFiles {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The columns of trials.csv, in order. */
    static final List<String> CSV_COLUMNS = List.of("rank", "trial", "index", "hidden", "activation", "optimizer", "lr",
            "momentum", "batch_size", "patience", "epochs", "best_val_loss", "best_epoch", "stop", "pruned_rung");

    private SweepFiles() {
    }

    static void writeTrial(Path out, TrialResult r) throws IOException {
        Path dir = out.resolve("trials").resolve(r.trial().name());
        Files.createDirectories(dir);
        HistoryCsv.write(dir.resolve("history.csv"), r.history());
        ObjectNode n = JSON.createObjectNode();
        n.put("index", r.trial().index());
        n.put("name", r.trial().name());
        n.set("config", config(r.trial().config()));
        n.put("epochs", r.epochs());
        putNumber(n, "best_val_loss", r.bestValLoss());
        r.prunedAtRung().ifPresent(k -> n.put("pruned_rung", k));
        r.stop().ifPresent(s -> n.set("stop", JSON.valueToTree(s)));
        AtomicFiles.write(dir.resolve("trial.json"), JSON.writeValueAsBytes(n));
    }

    private static void putNumber(ObjectNode n, String key, double v) {
        if (Double.isNaN(v)) {
            n.putNull(key);
        } else {
            n.put(key, v);
        }
    }

    static ObjectNode config(TrialConfig c) {
        ObjectNode n = JSON.createObjectNode();
        ArrayNode h = n.putArray("hidden");
        c.hidden().forEach(h::add);
        n.put("activation", c.activation().kerasName());
        n.put("optimizer", c.optimizer());
        n.put("learning_rate", c.learningRate());
        n.put("momentum", c.momentum());
        n.put("batch_size", c.batchSize());
        if (c.patience().isPresent()) {
            n.put("patience", c.patience().getAsInt());
        }
        return n;
    }

    static TrialConfig config(JsonNode n) {
        List<Integer> hidden = new ArrayList<>();
        n.get("hidden").forEach(u -> hidden.add(u.asInt()));
        return new TrialConfig(hidden, Activation.fromName(n.get("activation").asText()), n.get("optimizer").asText(),
                n.get("learning_rate").asDouble(), n.get("momentum").asDouble(), n.get("batch_size").asInt(),
                n.has("patience") ? OptionalInt.of(n.get("patience").asInt()) : OptionalInt.empty());
    }

    /** Reads every finished trial a sweep directory holds. */
    static List<TrialResult> readTrials(Path out) throws IOException {
        Path trials = out.resolve("trials");
        List<TrialResult> results = new ArrayList<>();
        if (!Files.isDirectory(trials)) {
            return results;
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.list(trials)) {
            dirs = s.filter(d -> Files.isRegularFile(d.resolve("trial.json")) && Files.isRegularFile(d.resolve("history.csv")))
                    .sorted().toList();
        }
        for (Path d : dirs) {
            JsonNode n = JSON.readTree(d.resolve("trial.json").toFile());
            Trial trial = new Trial(n.get("index").asInt(), n.get("name").asText(), config(n.get("config")));
            List<EpochMetrics> epochs = new ArrayList<>(HistoryCsv.read(d.resolve("history.csv")).epochs());
            if (n.has("stop") && !epochs.isEmpty()) {
                StopReport stop = JSON.treeToValue(n.get("stop"), StopReport.class);
                epochs.set(epochs.size() - 1, epochs.get(epochs.size() - 1).withStop(stop));
            }
            results.add(new TrialResult(trial, History.of(epochs), n.has("pruned_rung") ? n.get("pruned_rung").asInt() : -1));
        }
        return results;
    }

    static String stopText(TrialResult r) {
        if (r.pruned()) {
            return "PRUNED at rung " + r.prunedAtRung().orElse(-1) + " (epoch " + r.epochs() + ")";
        }
        return r.stop().map(s -> s.reason().name()).orElse("interrupted");
    }

    static List<String[]> rows(List<TrialResult> bestFirst) {
        List<String[]> rows = new ArrayList<>();
        int rank = 1;
        for (TrialResult r : bestFirst) {
            TrialConfig c = r.trial().config();
            rows.add(new String[] {String.valueOf(rank++), r.trial().name(), c.hiddenText(), c.activation().kerasName(),
                c.optimizer(), TrialConfigs.number(c.learningRate()), TrialConfigs.number(c.momentum()),
                String.valueOf(c.batchSize()), c.patience().isPresent() ? String.valueOf(c.patience().getAsInt()) : "-",
                String.valueOf(r.epochs()), fixed(r.bestValLoss()),
                r.bestEpoch().isPresent() ? String.valueOf(r.bestEpoch().getAsInt()) : "-", stopText(r)});
        }
        return rows;
    }

    static final String[] TABLE = {"rank", "trial", "hidden", "act", "opt", "lr", "mom", "batch", "patience", "epochs",
        "best val_loss", "best epoch", "ended"};

    static String table(List<TrialResult> bestFirst) {
        List<String[]> rows = rows(bestFirst);
        int[] width = new int[TABLE.length];
        for (int c = 0; c < TABLE.length; c++) {
            width[c] = TABLE[c].length();
            for (String[] row : rows) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        append(sb, TABLE, width);
        for (String[] row : rows) {
            append(sb, row, width);
        }
        return sb.toString();
    }

    private static void append(StringBuilder sb, String[] cells, int[] width) {
        for (int c = 0; c < cells.length; c++) {
            boolean left = c == 1 || c == 2 || c == 3 || c == 4 || c == cells.length - 1;
            String pad = " ".repeat(width[c] - cells[c].length());
            sb.append(left ? cells[c] + pad : pad + cells[c]).append(c == cells.length - 1 ? "\n" : "  ");
        }
    }

    static String fixed(double v) {
        return Format.fixed4(new StringBuilder(), v).toString();
    }

    static void writeCsv(Path file, List<TrialResult> bestFirst) throws IOException {
        StringBuilder sb = new StringBuilder(String.join(",", CSV_COLUMNS)).append('\n');
        int rank = 1;
        for (TrialResult r : bestFirst) {
            TrialConfig c = r.trial().config();
            sb.append(rank++).append(',').append(r.trial().name()).append(',').append(r.trial().index()).append(',')
                    .append(c.hiddenText()).append(',').append(c.activation().kerasName()).append(',').append(c.optimizer())
                    .append(',').append(TrialConfigs.number(c.learningRate())).append(',')
                    .append(TrialConfigs.number(c.momentum())).append(',').append(c.batchSize()).append(',')
                    .append(c.patience().isPresent() ? String.valueOf(c.patience().getAsInt()) : "").append(',')
                    .append(r.epochs()).append(',')
                    .append(Double.isNaN(r.bestValLoss()) ? "" : String.format(Locale.ROOT, "%.6f", r.bestValLoss()))
                    .append(',').append(r.bestEpoch().isPresent() ? String.valueOf(r.bestEpoch().getAsInt()) : "")
                    .append(',').append(r.pruned() ? "PRUNED" : r.stop().map(s -> s.reason().name()).orElse("INTERRUPTED"))
                    .append(',').append(r.prunedAtRung().isPresent() ? String.valueOf(r.prunedAtRung().getAsInt()) : "")
                    .append('\n');
        }
        AtomicFiles.write(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    static void writeBest(Path file, TrialResult best, List<String> common) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("trial", best.trial().name());
        n.put("index", best.trial().index());
        putNumber(n, "best_val_loss", best.bestValLoss());
        best.bestEpoch().ifPresent(e -> n.put("best_epoch", e));
        n.put("epochs", best.epochs());
        n.set("config", config(best.trial().config()));
        List<String> args = new ArrayList<>(best.trial().config().trainOptions());
        args.addAll(common);
        ArrayNode a = n.putArray("train_args");
        args.forEach(a::add);
        n.put("command", "java -jar target/epochflux.jar train " + String.join(" ", args));
        AtomicFiles.write(file, JSON.writeValueAsBytes(n));
    }

    /** Number formatting shared with the library's trial descriptions. */
    static final class TrialConfigs {
        private TrialConfigs() {
        }

        static String number(double v) {
            if (v == Math.rint(v) && Math.abs(v) < 1e15) {
                return String.valueOf((long) v);
            }
            return new java.math.BigDecimal(String.format(Locale.ROOT, "%.10g", v)).stripTrailingZeros().toPlainString();
        }
    }
}

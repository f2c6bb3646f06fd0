package io.epochflux.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.epochflux.checkpoint.CheckpointStore;
import io.epochflux.checkpoint.Checkpoints;
import io.epochflux.checkpoint.ResumePoint;
import io.epochflux.internal.AtomicFiles;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.History;
import io.epochflux.train.TrainingRun;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import reactor.core.publisher.Flux;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The command line's side of checkpoints: {@code train --checkpoint-every N} keeps the run's
 * options in {@code DIR/checkpoints/command.json} and a checkpoint (with the history so far
 * attached) every N epochs; {@code train --resume DIR} runs {@code train} again with those options,
 * continuing from the newest good checkpoint, so the run ends with exactly the files it would have
 * written if it had never been stopped.
 */
final class CheckpointRun {

    static final String DIRECTORY = "checkpoints";
    static final String COMMAND_FILE = "command.json";
    static final String HISTORY = "history.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CheckpointStore store;
    private final int every;
    private final ResumePoint from;
    private final List<EpochMetrics> history = new ArrayList<>();

    private CheckpointRun(CheckpointStore store, int every, ResumePoint from) {
        this.store = store;
        this.every = every;
        this.from = from;
    }

    /**
     * {@code train --resume DIR}: runs {@code train} again with the options the run started with.
     *
     * @return the exit code of that run
     */
    static int resume(CommandSpec spec, CheckpointOptions options) {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (CommandLine.Model.OptionSpec o : parsed.matchedOptions()) {
            String name = o.longestName();
            if (!name.equals("--resume") && !name.equals("--quiet") && !name.equals("--verbose")) {
                throw Usage.error(spec, "--resume takes the options the run started with, so " + name
                        + " cannot be given with it");
            }
        }
        Path file = options.resume.resolve(DIRECTORY).resolve(COMMAND_FILE);
        if (!Files.isRegularFile(file)) {
            throw Usage.error(spec, "--resume must name the --out directory of a run started with --checkpoint-every,"
                    + " but " + file + " does not exist");
        }
        List<String> args = new ArrayList<>();
        try {
            JsonNode root = JSON.readTree(file.toFile());
            for (JsonNode a : root.path("args")) {
                args.add(a.asText());
            }
        } catch (IOException e) {
            throw Usage.error(spec, "--resume needs a readable " + file + ", but reading it failed: " + e.getMessage());
        }
        if (args.isEmpty()) {
            throw Usage.error(spec, "--resume needs the run's options in " + file + ", but it holds none");
        }
        // the files go where --resume points, wherever the directory was when the run started
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--out") && i + 1 < args.size()) {
                args.set(i + 1, options.resume.toString());
            } else if (args.get(i).startsWith("--out=")) {
                args.set(i, "--out=" + options.resume);
            }
        }
        if (parsed.hasMatchedOption("--quiet")) {
            args.add("--quiet");
        }
        if (parsed.hasMatchedOption("--verbose")) {
            args.add("--verbose");
        }
        args.add("--resuming-checkpoints");
        CommandLine again = Main.commandLine().setOut(spec.commandLine().getOut()).setErr(spec.commandLine().getErr());
        List<String> all = new ArrayList<>();
        all.add("train");
        all.addAll(args);
        return again.execute(all.toArray(String[]::new));
    }

    /**
     * Prepares a run that keeps checkpoints: records its options (on a fresh start), or finds the
     * checkpoint to continue from (when resuming), telling {@code err} of every file refused.
     *
     * @return the checkpointing of this run, or empty when it keeps none
     */
    static Optional<CheckpointRun> prepare(CommandSpec spec, CheckpointOptions options, Path out, RunPlan plan,
                                           PrintWriter err) throws IOException {
        if (!options.enabled()) {
            return Optional.empty();
        }
        CheckpointStore store = CheckpointStore.in(out.resolve(DIRECTORY), options.keep);
        Path command = store.dir().resolve(COMMAND_FILE);
        ResumePoint from = null;
        if (options.resuming) {
            CheckpointStore.Lookup found = store.latest(plan.trainer(), plan.model(), plan.split().train());
            for (String refusal : found.refused()) {
                err.println("refused checkpoint " + refusal);
            }
            if (found.point().isPresent()) {
                from = found.point().get();
                err.println("resuming from " + found.file().orElseThrow() + " (epoch " + from.epoch() + ")");
                useThreadsOf(from, err);
            } else {
                err.println("no good checkpoint in " + store.dir() + ": starting the run again from epoch 1");
            }
        } else {
            // the options exactly as given, so --resume parses them as the run did
            ObjectNode root = JSON.createObjectNode();
            ArrayNode args = root.putArray("args");
            List<String> given = spec.commandLine().getParseResult().originalArgs();
            // the whole command line's arguments: the subcommand's own follow its name
            int first = given.isEmpty() || !given.get(0).equals(spec.name()) ? 0 : 1;
            for (String a : given.subList(first, given.size())) {
                args.add(a);
            }
            AtomicFiles.write(command, JSON.writeValueAsBytes(root));
            for (Path old : store.list()) {
                // an earlier run's checkpoints in this --out would be taken for this run's by --resume
                Files.deleteIfExists(old);
            }
        }
        err.flush();
        CheckpointRun run = new CheckpointRun(store, options.every, from);
        if (from != null) {
            byte[] bytes = from.attachment(HISTORY).orElseThrow(() -> new IOException(
                    "the checkpoint of epoch " + run.from.epoch() + " has no " + HISTORY + " attached"));
            run.history.addAll(JSON.readValue(bytes, History.class).epochs());
        }
        return Optional.of(run);
    }

    /**
     * Floating-point sums can depend on how BLAS splits them over threads, so a resume uses the
     * thread count the checkpoint was taken with: set in this process when it was set then, and
     * a warning when it was not (the default then is unknown).
     */
    private static void useThreadsOf(ResumePoint from, PrintWriter err) {
        Optional<String> then = from.run().ompNumThreads();
        Optional<String> now = Optional.ofNullable(System.getenv("OMP_NUM_THREADS"));
        if (then.equals(now)) {
            return;
        }
        int threads;
        try {
            threads = then.isPresent() ? Integer.parseInt(then.get().trim()) : 0;
        } catch (NumberFormatException e) {
            threads = 0;
        }
        if (threads >= 1) {
            Nd4j.factory().blas().setMaxThreads(threads);
            Nd4j.getEnvironment().setMaxThreads(threads);
            err.println("the checkpoint was taken with OMP_NUM_THREADS=" + then.get() + " and this process has "
                    + now.orElse("it unset") + ": using " + threads + " BLAS threads, as then");
        } else {
            err.println("warning: the checkpoint was taken with OMP_NUM_THREADS=" + then.orElse("(unset)")
                    + " but this process has " + now.orElse("(unset)")
                    + "; set it as then for results identical to the last bit");
        }
    }

    /** @return the epochs before the checkpoint continued from, to lead the run's history */
    List<EpochMetrics> earlier() {
        return from == null ? List.of() : List.copyOf(history);
    }

    /** @return the run: continued from the checkpoint, or a fresh one */
    TrainingRun start(RunPlan plan) {
        return from == null
                ? plan.trainer().run(plan.model(), plan.split().train(), plan.split().validation())
                : plan.trainer().run(plan.model(), plan.split().train(), plan.split().validation(), from.run());
    }

    /** The checkpointing operator, to go below the stop rules. */
    Flux<EpochMetrics> apply(Flux<EpochMetrics> epochs) {
        Checkpoints checkpoints = Checkpoints.every(every, this::write);
        return epochs
                .doOnNext(epoch -> history.add(epoch.withoutSnapshot()))
                .transform(from == null ? checkpoints : checkpoints.resumingFrom(from));
    }

    private void write(ResumePoint point) {
        try {
            store.write(point.withAttachment(HISTORY, JSON.writeValueAsBytes(History.of(history))));
        } catch (IOException e) {
            throw new UncheckedIOException("writing the checkpoint of epoch " + point.epoch() + " into " + store.dir()
                    + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "CheckpointRun(" + store.dir() + ", every " + every + ")";
    }
}

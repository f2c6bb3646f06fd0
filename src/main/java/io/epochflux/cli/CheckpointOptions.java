package io.epochflux.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Checkpoints of a {@code train} run, and continuing a run from its newest good checkpoint. */
final class CheckpointOptions {

    @Option(names = "--checkpoint-every", paramLabel = "N",
            description = "Keep a checkpoint every N epochs in --out DIR/checkpoints, so that train --resume DIR can"
                    + " continue the run exactly (default: none).")
    Integer every;

    @Option(names = "--keep-checkpoints", paramLabel = "K", defaultValue = "3",
            description = "How many of the newest checkpoints to keep (default: ${DEFAULT-VALUE}).")
    int keep;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue the run whose --out was DIR from its newest good checkpoint, with the options it"
                    + " started with, and complete its files. Takes no other option but -q and -v.")
    Path resume;

    /** Set on the command that --resume runs again with the original options: continue, do not start over. */
    @Option(names = "--resuming-checkpoints", hidden = true)
    boolean resuming;

    /** @return whether this run keeps checkpoints */
    boolean enabled() {
        return every != null;
    }

    void check(CommandSpec spec, Path out, boolean paced) {
        if (every == null) {
            if (spec.commandLine().getParseResult() != null
                    && spec.commandLine().getParseResult().hasMatchedOption("--keep-checkpoints")) {
                throw Usage.error(spec, "--keep-checkpoints needs --checkpoint-every, but it was not given");
            }
            return;
        }
        Usage.atLeast(spec, "--checkpoint-every", every, 1);
        Usage.atLeast(spec, "--keep-checkpoints", keep, 1);
        if (out == null) {
            throw Usage.error(spec, "--checkpoint-every needs --out DIR to keep the checkpoints in, but no --out was given");
        }
        if (paced) {
            // pacing delays epochs onto a timer thread, where the run's state can no longer be read between epochs
            throw Usage.error(spec, "--checkpoint-every cannot be combined with --min-epoch-duration: drop one of them");
        }
    }
}

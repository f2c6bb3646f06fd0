package io.epochflux.cli;

import io.epochflux.nn.internal.Kernels;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** How many BLAS threads the large matrix products get. */
final class ThreadOptions {

    @Option(names = "--threads", paramLabel = "N",
            description = "BLAS threads for the large matrix products (default: derived from the network's shapes and "
                    + "this machine's processors, 1 on two processors or fewer; recorded in report.json).")
    Integer threads;

    /**
     * Checks the option and, when given, makes it the count every kernel of this process uses.
     *
     * @param spec the command, for the error message
     */
    void apply(CommandSpec spec) {
        if (threads == null) {
            return;
        }
        if (threads < 1) {
            throw Usage.error(spec, "--threads must be >= 1, but was " + threads);
        }
        System.setProperty(Kernels.THREADS_PROPERTY, String.valueOf(threads));
    }
}

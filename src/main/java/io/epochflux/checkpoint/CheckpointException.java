package io.epochflux.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A checkpoint file that cannot be used: not a checkpoint, damaged (truncated, a checksum that
 * does not match) or of another version. The message names the file and what is wrong.
 */
public final class CheckpointException extends IOException {

    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param file the file
     * @param problem what is wrong with it
     */
    public CheckpointException(Path file, String problem) {
        super(Objects.requireNonNull(file, "file") + ": " + Objects.requireNonNull(problem, "problem"));
    }

    /**
     * Creates the exception with a cause.
     *
     * @param file the file
     * @param problem what is wrong with it
     * @param cause what was thrown reading it
     */
    public CheckpointException(Path file, String problem, Throwable cause) {
        super(Objects.requireNonNull(file, "file") + ": " + Objects.requireNonNull(problem, "problem"), cause);
    }
}

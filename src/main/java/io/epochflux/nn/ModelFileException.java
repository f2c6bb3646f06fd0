package io.epochflux.nn;

import java.io.IOException;
import java.util.Objects;

/**
 * A model file that cannot be loaded: not a model file, damaged, or holding a network of another
 * shape than the one it is loaded into. The message names the file and what is wrong.
 */
public final class ModelFileException extends IOException {

    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param file the file's name
     * @param problem what is wrong with it
     */
    public ModelFileException(String file, String problem) {
        super(Objects.requireNonNull(file, "file") + ": " + Objects.requireNonNull(problem, "problem"));
    }
}

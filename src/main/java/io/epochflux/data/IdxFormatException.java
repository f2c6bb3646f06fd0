package io.epochflux.data;

import java.io.IOException;
import java.util.Objects;

/**
 * An IDX file that cannot be read as what it claims to be: a wrong magic number, impossible
 * dimensions, a length that disagrees with the header, corrupt compression, image and label
 * files that do not belong together, or a consistent header that promises more data than the heap
 * can hold. The message names the file and says what was expected and what was found.
 */
public final class IdxFormatException extends IOException {

    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** The file or resource the problem is in. */
    private final String source;

    /**
     * Creates the exception.
     *
     * @param source the file (or resource) that is wrong
     * @param problem what is wrong, expected versus found
     */
    public IdxFormatException(String source, String problem) {
        super(Objects.requireNonNull(source, "source") + ": " + Objects.requireNonNull(problem, "problem"));
        this.source = source;
    }

    /**
     * Creates the exception with the low-level cause (a broken gzip stream, say).
     *
     * @param source the file (or resource) that is wrong
     * @param problem what is wrong
     * @param cause what the decoder reported
     */
    public IdxFormatException(String source, String problem, Throwable cause) {
        super(Objects.requireNonNull(source, "source") + ": " + Objects.requireNonNull(problem, "problem"), cause);
        this.source = source;
    }

    /**
     * Returns the file or resource the problem is in.
     *
     * @return the source's name as it was given to the reader
     */
    public String source() {
        return source;
    }
}

package io.epochflux.data;

import java.io.IOException;
import java.util.Objects;

/**
 * A CSV file that cannot be read as a table: an empty file or one with no data row, a header with
 * a duplicate or empty name or without the label column, a row with the wrong number of fields,
 * broken quoting, text where a number belongs, a missing or non-finite value, a single class, or
 * more data than the heap can hold. The message is one line that names the file and, where there
 * is one, the line, the data row and the column, and says the rule and what was found.
 */
public final class CsvFormatException extends IOException {

    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** The file the problem is in. */
    private final String source;

    /**
     * Creates the exception.
     *
     * @param source the file that is wrong
     * @param problem what is wrong: where, the rule, and what was found
     */
    public CsvFormatException(String source, String problem) {
        super(Objects.requireNonNull(source, "source") + ": " + Objects.requireNonNull(problem, "problem"));
        this.source = source;
    }

    /**
     * Creates the exception with the low-level cause (a malformed UTF-8 sequence, say).
     *
     * @param source the file that is wrong
     * @param problem what is wrong
     * @param cause what the decoder reported
     */
    public CsvFormatException(String source, String problem, Throwable cause) {
        super(Objects.requireNonNull(source, "source") + ": " + Objects.requireNonNull(problem, "problem"), cause);
        this.source = source;
    }

    /**
     * Returns the file the problem is in.
     *
     * @return the file's name as it was given to the reader
     */
    public String source() {
        return source;
    }
}

package io.epochflux.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits RFC 4180 text in UTF-8 into records, one at a time: fields separated by commas, records by CRLF,
 * LF or a lone CR; a field in double quotes may hold commas, line breaks and doubled quotes. A
 * byte-order mark at the start is skipped, and so are empty lines (a line with nothing on it, not
 * even a quoted empty field). A quote anywhere but at the start of a field, text after a closing
 * quote, and a quoted field the file ends inside are refused, naming the line and the column; so
 * is a byte sequence that is not UTF-8, naming its line (it decodes by itself rather than through
 * a {@code Reader}, which reports a bad sequence a buffer ahead of the text it has handed out).
 */
final class CsvRecords {

    private static final int BUFFER = 1 << 16;
    /** Values longer than this are cut in messages, which stay one readable line. */
    private static final int SHOWN = 40;

    private final InputStream in;
    private final String source;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
    private final ByteBuffer bytes = ByteBuffer.allocate(BUFFER).flip();
    private final char[] buffer = new char[BUFFER];
    private final CharBuffer chars = CharBuffer.wrap(buffer);
    private boolean endOfBytes;
    private boolean decoded;
    /** A bad sequence found after the text in the buffer: reported once that text is read. */
    private CoderResult malformed;
    private int position;
    private int limit;
    /** The line of the next character to read. */
    private long line = 1;
    /** The line the record being read (or last read) starts on. */
    private long recordLine = 1;
    /** The records read so far, the header included, counting the one being read. */
    private long records;
    private List<String> names = List.of();
    private final List<String> fields = new ArrayList<>();
    private final StringBuilder field = new StringBuilder();

    CsvRecords(InputStream in, String source) throws IOException {
        this.in = in;
        this.source = source;
        if (peek() == '\uFEFF') {
            position++;
        }
    }

    /** Names the columns in messages from now on: the header's names. */
    void names(List<String> columnNames) {
        names = List.copyOf(columnNames);
    }

    /**
     * Reads the next record.
     *
     * @return false at the end of the file
     */
    boolean next() throws IOException {
        fields.clear();
        recordLine = line;
        while (true) {
            field.setLength(0);
            int c = read();
            if (c == '"') {
                if (fields.isEmpty()) {
                    records++;
                }
                long opened = line;
                quoted(opened);
                c = read();
                if (c != ',' && c != '\r' && c != '\n' && c != -1) {
                    throw error(fields.size(), "must end at its closing quote (a comma or a line break next), "
                            + "but the quote is followed by " + show(String.valueOf((char) c)));
                }
            } else {
                if (fields.isEmpty()) {
                    if (c == -1) {
                        return false;
                    }
                    if (c == '\r' || c == '\n') {
                        endLine(c);
                        recordLine = line;
                        continue;
                    }
                    records++;
                }
                while (c != ',' && c != '\r' && c != '\n' && c != -1) {
                    if (c == '"') {
                        throw error(fields.size(), "must be quoted to hold a quote (\"\" inside quotes), "
                                + "but was " + show(field + "\"") + " unquoted");
                    }
                    field.append((char) c);
                    c = read();
                }
            }
            fields.add(field.toString());
            if (c != ',') {
                endLine(c);
                return true;
            }
        }
    }

    /** Reads a quoted field's content after its opening quote, up to and including the closing one. */
    private void quoted(long opened) throws IOException {
        while (true) {
            int c = read();
            if (c == -1) {
                throw error(fields.size(), "must close the quote it opens on line " + opened
                        + ", but the file ends inside it");
            }
            if (c == '"') {
                if (peek() != '"') {
                    return;
                }
                position++;
            } else if (c == '\n' || (c == '\r' && peek() != '\n')) {
                line++;
            }
            field.append((char) c);
        }
    }

    private void endLine(int c) throws IOException {
        if (c == '\r' && peek() == '\n') {
            position++;
        }
        if (c != -1) {
            line++;
        }
    }

    /** The fields of the record last read, as written (unquoted, not stripped); valid until the next call. */
    List<String> fields() {
        return fields;
    }

    /** Where the record being read is, for messages: {@code line 7 (data row 6)} or {@code line 1 (the header)}. */
    String where() {
        return records <= 1 ? "line " + recordLine + " (the header)"
                : "line " + recordLine + " (data row " + (records - 1) + ")";
    }

    /** A column for messages: {@code column "bmi"} once the header is read, {@code column 3} before. */
    String column(int index) {
        return index < names.size() ? "column \"" + names.get(index) + "\"" : "column " + (index + 1);
    }

    /** The error at the record being read: {@code SOURCE: line 7 (data row 6) PROBLEM}. */
    CsvFormatException error(String problem) {
        return new CsvFormatException(source, where() + " " + problem);
    }

    /** The error in one column of the record being read: {@code SOURCE: line 7 (data row 6), column "x" PROBLEM}. */
    CsvFormatException error(int column, String problem) {
        return new CsvFormatException(source, where() + ", " + column(column) + " " + problem);
    }

    /** A value for a one-line message: quoted, line breaks escaped, cut at {@value #SHOWN} characters. */
    static String show(String value) {
        String cut = value.length() > SHOWN ? value.substring(0, SHOWN) + "..." : value;
        return "\"" + cut.replace("\r", "\\r").replace("\n", "\\n") + "\"";
    }

    private int read() throws IOException {
        if (position == limit && !fill()) {
            return -1;
        }
        return buffer[position++];
    }

    private int peek() throws IOException {
        if (position == limit && !fill()) {
            return -1;
        }
        return buffer[position];
    }

    private boolean fill() throws IOException {
        if (malformed != null) {
            throw new CsvFormatException(source, "line " + line + " must be UTF-8, but has a malformed sequence of "
                    + malformed.length() + (malformed.length() == 1 ? " byte" : " bytes"));
        }
        if (decoded) {
            return false;
        }
        chars.clear();
        while (true) {
            CoderResult result = decoder.decode(bytes, chars, endOfBytes);
            if (result.isError()) {
                malformed = result;
                break;
            }
            if (result.isOverflow()) {
                break;
            }
            if (endOfBytes) {
                decoder.flush(chars);
                decoded = true;
                break;
            }
            bytes.compact();
            int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
            if (n < 0) {
                endOfBytes = true;
            } else {
                bytes.position(bytes.position() + n);
            }
            bytes.flip();
        }
        position = 0;
        limit = chars.position();
        return limit > 0 || fill();
    }
}

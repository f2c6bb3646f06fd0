package io.epochflux.runs;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One Server-Sent Event as {@link ServerSentEvents} makes it: an id, an event name and data (JSON
 * text), or a comment (a heartbeat), or a retry hint. {@link #text()} is its wire form, which any
 * HTTP server can write as it is; a framework with its own SSE type (Spring's
 * {@code ServerSentEvent}) maps the parts one to one.
 *
 * <pre>
 *   id: 3                       epoch events only: a reconnecting client sends it back as Last-Event-ID
 *   event: epoch
 *   data: {"epoch":3,"values":{...},"durationMs":1.2}
 *                               (a blank line ends each event)
 *   : keep-alive                a comment: a heartbeat, ignored by clients
 *   retry: 3000                 how long a client waits before it reconnects
 * </pre>
 */
public final class SseEvent {

    private final String id;
    private final String event;
    private final String data;
    private final String comment;
    private final Duration retry;

    private SseEvent(String id, String event, String data, String comment, Duration retry) {
        this.id = id;
        this.event = event;
        this.data = data;
        this.comment = comment;
        this.retry = retry;
    }

    /**
     * Makes an event with a name and data.
     *
     * @param event the event's name, such as {@code epoch}: one line, not blank
     * @param data the data, such as a JSON object; several lines become several {@code data:} lines
     * @return the event, without an id
     */
    public static SseEvent of(String event, String data) {
        return new SseEvent(null, line("event", event), Objects.requireNonNull(data, "data"), null, null);
    }

    /**
     * Makes an event with an id, a name and data.
     *
     * @param id the id a reconnecting client sends back as {@code Last-Event-ID}: one line, not blank
     * @param event the event's name: one line, not blank
     * @param data the data
     * @return the event
     */
    public static SseEvent of(String id, String event, String data) {
        return new SseEvent(line("id", id), line("event", event), Objects.requireNonNull(data, "data"), null, null);
    }

    /**
     * Makes a comment, such as a heartbeat that keeps an idle connection open through proxies.
     *
     * @param comment one line
     * @return the comment
     */
    public static SseEvent comment(String comment) {
        Objects.requireNonNull(comment, "comment");
        if (comment.contains("\n") || comment.contains("\r")) {
            throw new IllegalArgumentException("comment must be one line, but was '" + comment + "'");
        }
        return new SseEvent(null, null, null, comment, null);
    }

    /**
     * Makes a retry hint: how long a client waits before it reconnects after losing the stream.
     *
     * @param retry positive, in whole milliseconds on the wire
     * @return the hint
     */
    public static SseEvent retry(Duration retry) {
        Objects.requireNonNull(retry, "retry");
        if (retry.isNegative() || retry.isZero()) {
            throw new IllegalArgumentException("retry must be positive, but was " + retry);
        }
        return new SseEvent(null, null, null, null, retry);
    }

    private static String line(String name, String value) {
        Objects.requireNonNull(value, name);
        if (value.isBlank() || value.contains("\n") || value.contains("\r")) {
            throw new IllegalArgumentException(name + " must be one line, not blank, but was '" + value + "'");
        }
        return value;
    }

    /** @return the id, for an event that has one (each epoch: its number) */
    public Optional<String> id() {
        return Optional.ofNullable(id);
    }

    /** @return the event's name, for an event */
    public Optional<String> event() {
        return Optional.ofNullable(event);
    }

    /** @return the data, for an event */
    public Optional<String> data() {
        return Optional.ofNullable(data);
    }

    /** @return the comment, for a comment */
    public Optional<String> comment() {
        return Optional.ofNullable(comment);
    }

    /** @return the retry hint, for a hint */
    public Optional<Duration> retry() {
        return Optional.ofNullable(retry);
    }

    /**
     * Returns the wire form: its fields, one a line, then a blank line.
     *
     * @return such as {@code "id: 3\nevent: epoch\ndata: {...}\n\n"}, {@code ": keep-alive\n\n"}
     *         or {@code "retry: 3000\n\n"}
     */
    public String text() {
        StringBuilder sb = new StringBuilder(32 + (data == null ? 0 : data.length()));
        if (comment != null) {
            sb.append(": ").append(comment).append('\n');
        }
        if (retry != null) {
            sb.append("retry: ").append(retry.toMillis()).append('\n');
        }
        if (id != null) {
            sb.append("id: ").append(id).append('\n');
        }
        if (event != null) {
            sb.append("event: ").append(event).append('\n');
        }
        if (data != null) {
            for (String line : data.split("\r\n|\r|\n", -1)) {
                sb.append("data: ").append(line).append('\n');
            }
        }
        return sb.append('\n').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SseEvent e && Objects.equals(id, e.id) && Objects.equals(event, e.event)
                && Objects.equals(data, e.data) && Objects.equals(comment, e.comment) && Objects.equals(retry, e.retry);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, event, data, comment, retry);
    }

    @Override
    public String toString() {
        return "SseEvent[" + text().strip().replace("\n", " | ") + "]";
    }
}

package io.epochflux.runs;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.RunOutcome;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a run of a {@link RunRegistry} stands, as a value a service returns for
 * {@code GET /runs/{id}}: its id, its state, its epochs, the last epoch, the outcome once it has
 * ended, when it started, and its viewers.
 *
 * <p>The state is where the run is while it runs ({@code new}, {@code queued}, {@code training},
 * {@code waiting}), then how it ended ({@code completed}, {@code stopped_early}, {@code failed},
 * {@code cancelled}): the names of {@code TrainingRun.Status} and {@code RunOutcome.Kind} in lower
 * case.
 *
 * <p><b>JSON.</b> A plain {@code new ObjectMapper()} writes and reads it, read back equal:
 * <pre>{@code
 * {"id":"2","state":"cancelled","epochs":3,"lastEpoch":{"epoch":3,"values":{...},"durationMs":1.1},
 *  "outcome":{"kind":"CANCELLED","epochs":3,"weightsEpoch":3},"started":"2026-12-06T21:30:45.123Z",
 *  "viewers":0,"droppedViewers":0}
 * }</pre>
 * {@code lastEpoch} and {@code outcome} are left out while there is none.
 */
@JsonPropertyOrder({"id", "state", "epochs", "lastEpoch", "outcome", "started", "viewers", "droppedViewers"})
public final class RunStatus {

    private final String id;
    private final String state;
    private final int epochs;
    private final EpochMetrics lastEpoch;
    private final RunOutcome outcome;
    private final Instant started;
    private final int viewers;
    private final long droppedViewers;

    private RunStatus(String id, String state, int epochs, EpochMetrics lastEpoch, RunOutcome outcome, Instant started,
                      int viewers, long droppedViewers) {
        this.id = Objects.requireNonNull(id, "id");
        this.state = Objects.requireNonNull(state, "state");
        this.epochs = epochs;
        this.lastEpoch = lastEpoch;
        this.outcome = outcome;
        this.started = Objects.requireNonNull(started, "started");
        this.viewers = viewers;
        this.droppedViewers = droppedViewers;
    }

    /**
     * Reads where a run stands now.
     *
     * @param id the run's id in its registry
     * @param run the run
     * @return its status
     */
    public static RunStatus of(String id, RunHandle run) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(run, "run");
        Optional<RunOutcome> outcome = run.outcomeNow();
        String state = outcome.map(o -> o.kind().name()).orElse(run.status().name()).toLowerCase(Locale.ROOT);
        return new RunStatus(id, state, run.epochs(), run.lastEpoch().orElse(null), outcome.orElse(null), run.started(),
                run.viewers(), run.droppedViewers());
    }

    /** The JSON form's reader: see the class description. */
    @JsonCreator
    private static RunStatus fromJson(@JsonProperty(value = "id", required = true) String id,
                                      @JsonProperty(value = "state", required = true) String state,
                                      @JsonProperty(value = "epochs", required = true) int epochs,
                                      @JsonProperty("lastEpoch") EpochMetrics lastEpoch,
                                      @JsonProperty("outcome") RunOutcome outcome,
                                      @JsonProperty(value = "started", required = true) String started,
                                      @JsonProperty("viewers") int viewers,
                                      @JsonProperty("droppedViewers") long droppedViewers) {
        Instant at;
        try {
            at = Instant.parse(started);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("started must be an ISO-8601 instant, but was " + started, e);
        }
        return new RunStatus(id, state, epochs, lastEpoch, outcome, at, viewers, droppedViewers);
    }

    /** @return the run's id */
    @JsonProperty("id")
    public String id() {
        return id;
    }

    /** @return where it is, or how it ended, in lower case (see the class description) */
    @JsonProperty("state")
    public String state() {
        return state;
    }

    /** @return the epochs recorded so far */
    @JsonProperty("epochs")
    public int epochs() {
        return epochs;
    }

    /** @return the last epoch, without weights; empty before the first */
    @JsonIgnore
    public Optional<EpochMetrics> lastEpoch() {
        return Optional.ofNullable(lastEpoch);
    }

    /** @return the outcome, once the run has ended */
    @JsonIgnore
    public Optional<RunOutcome> outcome() {
        return Optional.ofNullable(outcome);
    }

    @JsonProperty("lastEpoch")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private EpochMetrics lastEpochOrNull() {
        return lastEpoch;
    }

    @JsonProperty("outcome")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private RunOutcome outcomeOrNull() {
        return outcome;
    }

    /** @return when the handle started the run */
    @JsonIgnore
    public Instant started() {
        return started;
    }

    @JsonProperty("started")
    private String startedText() {
        return started.toString();
    }

    /** @return the viewers watching when this was read */
    @JsonProperty("viewers")
    public int viewers() {
        return viewers;
    }

    /** @return the viewers dropped for falling behind */
    @JsonProperty("droppedViewers")
    public long droppedViewers() {
        return droppedViewers;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RunStatus s && id.equals(s.id) && state.equals(s.state) && epochs == s.epochs
                && Objects.equals(lastEpoch, s.lastEpoch) && Objects.equals(outcome, s.outcome)
                && started.equals(s.started) && viewers == s.viewers && droppedViewers == s.droppedViewers;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, state, epochs, lastEpoch, outcome, started, viewers, droppedViewers);
    }

    @Override
    public String toString() {
        return "RunStatus[" + id + " " + state + ", " + epochs + " epochs]";
    }
}

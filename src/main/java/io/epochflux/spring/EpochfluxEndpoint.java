package io.epochflux.spring;

import io.epochflux.runs.RunStatus;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Actuator endpoint {@code /actuator/epochflux}: every run listed, as {@link RunStatus}es
 * (and {@code /actuator/epochflux/{id}} for one). Exposed like any endpoint:
 * {@code management.endpoints.web.exposure.include=epochflux}.
 */
@Endpoint(id = "epochflux")
public final class EpochfluxEndpoint {

    private final EpochfluxRuns runs;

    /**
     * Makes the endpoint of a set of runs.
     *
     * @param runs the runs it lists
     */
    public EpochfluxEndpoint(EpochfluxRuns runs) {
        this.runs = Objects.requireNonNull(runs, "runs");
    }

    /** @return every run listed, oldest first */
    @ReadOperation
    public Map<String, List<RunStatus>> runs() {
        return Map.of("runs", runs.list());
    }

    /**
     * Reads one run.
     *
     * @param id its id
     * @return its status, or null (404) when there is no such run
     */
    @ReadOperation
    public RunStatus run(@Selector String id) {
        return runs.registry().get(id).map(h -> RunStatus.of(id, h)).orElse(null);
    }
}

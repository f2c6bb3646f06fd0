package io.epochflux.sweep;

import java.util.Objects;

/**
 * A trial of a sweep: its place in the whole search (stable across shards and resumes), its name
 * and its settings.
 *
 * @param index the trial's position in the full list of the search, {@code >= 0}
 * @param name its name in events, files and meters ({@code trial-007})
 * @param config its settings
 */
public record Trial(int index, String name, TrialConfig config) {

    /**
     * Checks the fields.
     *
     * @throws IllegalArgumentException when the index is negative or the name blank
     */
    public Trial {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(config, "config");
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0, but was " + index);
        }
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, but was '" + name + "'");
        }
    }

    /**
     * Names the trial at a position, as every sweep does.
     *
     * @param index the position, {@code >= 0}
     * @param config the settings
     * @return {@code trial-000}, {@code trial-001}, ...
     */
    public static Trial of(int index, TrialConfig config) {
        return new Trial(index, String.format("trial-%03d", index), config);
    }
}

package io.epochflux.checkpoint;

import io.epochflux.stop.RuleStates;
import io.epochflux.train.Checkpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a stream needs to continue at the end of an epoch: the run's {@link Checkpoint},
 * the saved states of its stop rules (most downstream first, as {@link RuleStates#save()} gives
 * them) and named attachments a caller keeps with it (the command line keeps the history so far
 * and its options). Immutable; attachments are copied in and out.
 */
public final class ResumePoint {

    private final Checkpoint run;
    private final List<RuleStates.Saved> rules;
    private final Map<String, byte[]> attachments;

    private ResumePoint(Checkpoint run, List<RuleStates.Saved> rules, Map<String, byte[]> attachments) {
        this.run = run;
        this.rules = rules;
        this.attachments = attachments;
    }

    /**
     * Makes a resume point without attachments.
     *
     * @param run the run's checkpoint
     * @param rules the stop rules' saved states, most downstream first
     * @return the resume point
     */
    public static ResumePoint of(Checkpoint run, List<RuleStates.Saved> rules) {
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(rules, "rules");
        return new ResumePoint(run, List.copyOf(rules), Map.of());
    }

    /**
     * Returns this resume point with one more attachment (or a replaced one).
     *
     * @param name the attachment's name: letters, digits, {@code .}, {@code _} and {@code -}, not starting with a dot
     * @param content its bytes, copied
     * @return a new resume point
     */
    public ResumePoint withAttachment(String name, byte[] content) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(content, "content");
        if (!name.matches("[A-Za-z0-9_-][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("name must match [A-Za-z0-9_-][A-Za-z0-9._-]*, but was '" + name + "'");
        }
        Map<String, byte[]> copy = new LinkedHashMap<>(attachments);
        copy.put(name, content.clone());
        return new ResumePoint(run, rules, Collections.unmodifiableMap(copy));
    }

    /** @return the run's checkpoint */
    public Checkpoint run() {
        return run;
    }

    /** @return the last completed epoch; the resumed stream's first epoch is the next */
    public int epoch() {
        return run.epoch();
    }

    /** @return the stop rules' saved states, most downstream first */
    public List<RuleStates.Saved> rules() {
        return rules;
    }

    /** @return the attachment names, in the order they were added */
    public java.util.Set<String> attachmentNames() {
        return attachments.keySet();
    }

    /**
     * Returns one attachment.
     *
     * @param name its name
     * @return a copy of its bytes, or empty when there is none of that name
     */
    public Optional<byte[]> attachment(String name) {
        byte[] content = attachments.get(Objects.requireNonNull(name, "name"));
        return content == null ? Optional.empty() : Optional.of(content.clone());
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ResumePoint p) || !run.equals(p.run) || !rules.equals(p.rules)
                || !attachments.keySet().equals(p.attachments.keySet())) {
            return false;
        }
        for (Map.Entry<String, byte[]> e : attachments.entrySet()) {
            if (!java.util.Arrays.equals(e.getValue(), p.attachments.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Objects.hash(run, rules, attachments.keySet());
    }

    @Override
    public String toString() {
        return "ResumePoint(" + run + ", " + rules.size() + " rule states, attachments " + attachments.keySet() + ")";
    }
}

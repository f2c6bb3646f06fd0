package io.epochflux.stop;

import reactor.util.context.Context;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Reaches the state of the stop rules in a stream, for checkpoints, through the subscriber
 * {@link Context}: write one into the context below the rules, and every rule above registers its
 * per-subscription {@link Watch} with it when subscribed. {@link #save()} then exports their
 * states, and a stream subscribed with {@link #resuming} gives each rule its saved state back.
 *
 * <pre>{@code
 * RuleStates states = RuleStates.tracking();
 * trainer.fit(model, train, validation)
 *     .transform(earlyStopping)
 *     .doOnNext(epoch -> checkpoint(epoch, states.save()))   // on the thread that delivers the epoch
 *     .contextWrite(states::into)
 *     .blockLast();
 * // later, the same chain with RuleStates.resuming(saved) continues where the rules were
 * }</pre>
 *
 * <p>Rules are matched to saved states by the order in which they subscribe (the most downstream
 * first), so a resumed stream must have the same chain of rules; each saved state also records
 * the rule's description, and a mismatch is refused. One instance serves one subscription.
 *
 * <p>Other operators with per-run state (the learning-rate operators of
 * {@code io.epochflux.schedule}) take part through {@link #join}, in the same order.
 */
public final class RuleStates {

    private static final Object KEY = RuleStates.class;

    private final List<String> rules = new ArrayList<>();
    private final List<Supplier<RuleState>> watches = new ArrayList<>();
    private final List<Saved> resumeFrom;

    /**
     * A rule's state with the rule it belongs to.
     *
     * @param rule the rule's description ({@link StopRule#describe()})
     * @param state its state
     */
    public record Saved(String rule, RuleState state) {
        /**
         * Checks the parts.
         *
         * @param rule the rule's description
         * @param state its state
         */
        public Saved {
            Objects.requireNonNull(rule, "rule");
            Objects.requireNonNull(state, "state");
        }
    }

    private RuleStates(List<Saved> resumeFrom) {
        this.resumeFrom = List.copyOf(resumeFrom);
    }

    /** @return a tracker that starts every rule afresh */
    public static RuleStates tracking() {
        return new RuleStates(List.of());
    }

    /**
     * Returns a tracker that gives each rule the state saved from the same chain.
     *
     * @param saved what {@link #save()} returned
     * @return the tracker
     */
    public static RuleStates resuming(List<Saved> saved) {
        return new RuleStates(Objects.requireNonNull(saved, "saved"));
    }

    /**
     * Writes this tracker into a context, for {@code contextWrite(states::into)}.
     *
     * @param context the context
     * @return the context with this tracker
     */
    public Context into(Context context) {
        return context.put(KEY, this);
    }

    /**
     * Exports the state of every rule registered so far; call it on the thread that delivers the
     * stream's signals (in {@code doOnNext}, say), between two epochs.
     *
     * @return one entry per rule, most downstream first
     */
    public synchronized List<Saved> save() {
        List<Saved> out = new ArrayList<>(watches.size());
        for (int i = 0; i < watches.size(); i++) {
            out.add(new Saved(rules.get(i), watches.get(i).get()));
        }
        return out;
    }

    /**
     * Lets an operator that is not a {@link StopRule} keep its per-subscription state through
     * checkpoints, as rules do: call it where the operator makes that state (in
     * {@code Flux.deferContextual}), with the context its subscriber gave it. When the context
     * holds a tracker, {@code state} is registered with it ({@link #save()} calls it, on the thread
     * that calls save) and the state saved for this operator, if resuming, is returned.
     *
     * @param downstream the context the operator's subscriber gave it
     * @param operator the operator's description, checked against the saved one when resuming
     * @param state exports the operator's current state
     * @return the saved state to start from; {@link RuleState#EMPTY} to start afresh (no tracker,
     *         or nothing saved for this operator)
     * @throws IllegalArgumentException when the saved state belongs to another operator
     */
    public static RuleState join(reactor.util.context.ContextView downstream, String operator,
                                 Supplier<RuleState> state) {
        Objects.requireNonNull(downstream, "downstream");
        Objects.requireNonNull(operator, "operator");
        Objects.requireNonNull(state, "state");
        RuleStates states = from(downstream);
        if (states == null) {
            return RuleState.EMPTY;
        }
        synchronized (states) {
            RuleState saved = states.savedForNext(operator);
            states.register(operator, state);
            return saved;
        }
    }

    static RuleStates from(reactor.util.context.ContextView context) {
        return context.getOrDefault(KEY, null);
    }

    /** The state saved for the next rule to register, checked against it; EMPTY when there is none. */
    synchronized RuleState savedForNext(String rule) {
        int index = watches.size();
        if (index >= resumeFrom.size()) {
            return RuleState.EMPTY;
        }
        Saved s = resumeFrom.get(index);
        if (!s.rule().equals(rule)) {
            throw new IllegalArgumentException("saved state " + index + " must belong to " + rule
                    + ", but belongs to " + s.rule() + ": resume the same chain of rules");
        }
        return s.state();
    }

    synchronized void register(String rule, Supplier<RuleState> state) {
        rules.add(rule);
        watches.add(state);
    }
}

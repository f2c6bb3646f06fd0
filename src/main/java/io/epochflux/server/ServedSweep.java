package io.epochflux.server;

import io.epochflux.sweep.Sweep;
import io.epochflux.sweep.Trial;
import io.epochflux.sweep.TrialEvent;
import io.epochflux.sweep.TrialResult;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A sweep the server started: its events are subscribed once, kept per trial for
 * {@code GET /sweeps/{id}}, and replayed to viewers from a bounded buffer.
 */
final class ServedSweep {

    /** The most events a late viewer is replayed; older ones are in {@code GET /sweeps/{id}}. */
    static final int REPLAY = 10_000;

    /**
     * Only the sweep's own subscription emits into {@link #events} (its events come serialized), so
     * an emission never races another; a retry covers a viewer subscribing meanwhile.
     */
    private static final Sinks.EmitFailureHandler RETRY = Sinks.EmitFailureHandler.busyLooping(java.time.Duration.ofSeconds(1));

    private final String id;
    private final SweepRequest request;
    private final Sweep sweep;
    private final Instant started = Instant.now();
    private final Sinks.Many<TrialEvent> events = Sinks.many().replay().limit(REPLAY);
    private final Map<String, Map<String, Object>> trials = new ConcurrentHashMap<>();
    private final AtomicReference<String> state = new AtomicReference<>("running");
    /** Emitted once, by {@link #cancel()}, which never touches {@link #events}: it may run on an event loop. */
    private final Sinks.Empty<Void> cancelled = Sinks.empty();
    private volatile String error;
    private volatile Disposable subscription;

    ServedSweep(String id, SweepRequest request, Sweep sweep) {
        this.id = id;
        this.request = request;
        this.sweep = sweep;
        for (Trial t : sweep.trials()) {
            trials.put(t.name(), trial(t, "queued", 0, Double.NaN, -1, -1));
        }
    }

    String id() {
        return id;
    }

    /** Subscribes to the sweep's events once; {@code onEnd} runs once it has ended, however. */
    void start(Runnable onEnd) {
        subscription = sweep.events()
                .doFinally(s -> onEnd.run())
                .subscribe(this::record,
                        e -> {
                            error = e.getMessage() == null ? e.toString() : e.getMessage();
                            state.compareAndSet("running", "failed");
                            events.emitComplete(RETRY);
                        },
                        () -> {
                            state.compareAndSet("running", "finished");
                            events.emitComplete(RETRY);
                        });
    }

    /** Cancels the sweep: its trials stop training. */
    void cancel() {
        if (state.compareAndSet("running", "cancelled")) {
            Disposable d = subscription;
            if (d != null) {
                d.dispose();
            }
            cancelled.tryEmitEmpty();
        }
    }

    /**
     * @return the events so far (up to {@link #REPLAY}), then live ones, completing when the sweep
     *         ends or is cancelled (a viewer arriving after a cancel gets only the end)
     */
    Flux<TrialEvent> events() {
        return events.asFlux().takeUntilOther(cancelled.asMono());
    }

    String state() {
        return state.get();
    }

    private void record(TrialEvent e) {
        Trial t = e.trial();
        Map<String, Object> was = trials.get(t.name());
        int epochs = (int) was.get("epochs");
        double best = was.get("bestValLoss") == null ? Double.NaN : (double) was.get("bestValLoss");
        int bestEpoch = (int) (was.get("bestEpoch") == null ? -1 : was.get("bestEpoch"));
        switch (e.kind()) {
            case STARTED -> trials.put(t.name(), trial(t, "training", 0, Double.NaN, -1, -1));
            case EPOCH -> {
                var m = e.epoch().orElseThrow();
                double v = m.value("val_loss").orElse(Double.NaN);
                if (!Double.isNaN(v) && (Double.isNaN(best) || v < best)) {
                    best = v;
                    bestEpoch = m.epoch();
                }
                trials.put(t.name(), trial(t, "training", m.epoch(), best, bestEpoch, -1));
            }
            case PRUNED -> trials.put(t.name(), trial(t, "pruned", epochs, best, bestEpoch, e.rung().orElse(-1)));
            case FINISHED -> {
                TrialResult r = e.result().orElseThrow();
                trials.put(t.name(), trial(t, r.pruned() ? "pruned" : "finished", r.epochs(), r.bestValLoss(),
                        r.bestEpoch().orElse(-1), r.prunedAtRung().orElse(-1)));
            }
            default -> { }
        }
        events.emitNext(e, RETRY);
    }

    static Map<String, Object> trial(Trial t, String state, int epochs, double best, int bestEpoch, int rung) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", t.name());
        m.put("config", t.config().describe());
        m.put("state", state);
        m.put("epochs", epochs);
        m.put("bestValLoss", Double.isNaN(best) ? null : best);
        m.put("bestEpoch", bestEpoch < 0 ? null : bestEpoch);
        m.put("prunedAtRung", rung < 0 ? null : rung);
        return m;
    }

    /** The summary GET /sweeps lists. */
    Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("state", state.get());
        m.put("trialCount", sweep.trials().size());
        m.put("epochs", request.epochs());
        m.put("pruner", request.prunerName());
        m.put("started", started.toString());
        m.put("best", best());
        return m;
    }

    /** What GET /sweeps/{id} gives: the summary, settings, and every trial. */
    Map<String, Object> detail() {
        Map<String, Object> m = summary();
        m.put("settings", request.settings());
        List<Map<String, Object>> list = new ArrayList<>();
        for (Trial t : sweep.trials()) {
            list.add(trials.get(t.name()));
        }
        m.put("trials", list);
        m.put("error", error);
        return m;
    }

    /** @return the trial with the least best val_loss so far, or null */
    Map<String, Object> best() {
        Map<String, Object> best = null;
        for (Trial t : sweep.trials()) {
            Map<String, Object> x = trials.get(t.name());
            if (x.get("bestValLoss") != null
                    && (best == null || (double) x.get("bestValLoss") < (double) best.get("bestValLoss"))) {
                best = x;
            }
        }
        return best;
    }
}

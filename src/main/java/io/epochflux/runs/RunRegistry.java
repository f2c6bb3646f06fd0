package io.epochflux.runs;

import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Run handles by id: {@link #add} gives a handle the next id ({@code 1}, {@code 2}, ...), and
 * {@link #list}, {@link #get}, {@link #cancel} and {@link #remove} find it again. A run that has
 * ended is removed on its own after the retention time, counted on the registry's scheduler from
 * the moment the run released its model, so a long-lived service does not keep every run it ever
 * had. Pass a {@code VirtualTimeScheduler} to test retention without waiting.
 *
 * <p>Each registry is its own: nothing is shared between instances. Every method is safe from any
 * thread and returns without blocking.
 */
public final class RunRegistry {

    /** How long a finished run stays listed unless told otherwise. */
    public static final Duration DEFAULT_RETENTION = Duration.ofHours(1);

    private final Duration retention;
    private final Scheduler scheduler;
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentMap<String, Entry> runs = new ConcurrentHashMap<>();

    private RunRegistry(Duration retention, Scheduler scheduler) {
        this.retention = retention;
        this.scheduler = scheduler;
    }

    /**
     * Creates a registry.
     *
     * @param retention how long a run stays after it has ended, {@code >= 0}
     * @param scheduler where the removals are timed, such as {@code Schedulers.parallel()}
     * @return an empty registry
     */
    public static RunRegistry create(Duration retention, Scheduler scheduler) {
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(scheduler, "scheduler");
        if (retention.isNegative()) {
            throw new IllegalArgumentException("retention must be >= 0, but was " + retention);
        }
        return new RunRegistry(retention, scheduler);
    }

    /**
     * Adds a handle under a new id; it is removed once it has ended and the retention has passed.
     *
     * @param handle a started handle
     * @return its id
     */
    public String add(RunHandle handle) {
        Objects.requireNonNull(handle, "handle");
        String id = Long.toString(ids.incrementAndGet());
        put(id, handle);
        return id;
    }

    private void put(String id, RunHandle handle) {
        Entry entry = new Entry(handle);
        runs.put(id, entry);
        handle.outcome().subscribe(outcome -> {
            Disposable timer = scheduler.schedule(() -> runs.remove(id, entry), retention.toNanos(), TimeUnit.NANOSECONDS);
            entry.timer = timer;
            if (!runs.containsKey(id)) {
                timer.dispose(); // removed by hand meanwhile
            }
        });
    }

    /**
     * Starts a handle under a new id, for handles that need their id when they start (to name
     * their metrics, say); it is removed once it has ended and the retention has passed.
     *
     * @param start makes and starts the handle, given its id
     * @return the id
     */
    public String start(Function<String, RunHandle> start) {
        Objects.requireNonNull(start, "start");
        String id = Long.toString(ids.incrementAndGet());
        put(id, Objects.requireNonNull(start.apply(id), "the handle start returned"));
        return id;
    }

    /**
     * Finds a handle.
     *
     * @param id an id {@link #add} returned
     * @return the handle, or empty when there is none (never was, removed, or retired)
     */
    public Optional<RunHandle> get(String id) {
        Objects.requireNonNull(id, "id");
        Entry e = runs.get(id);
        return e == null ? Optional.empty() : Optional.of(e.handle);
    }

    /** @return every handle by id, oldest first: a copy */
    public Map<String, RunHandle> list() {
        Map<String, RunHandle> all = new LinkedHashMap<>();
        runs.entrySet().stream()
                .sorted((a, b) -> Long.compare(Long.parseLong(a.getKey()), Long.parseLong(b.getKey())))
                .forEach(e -> all.put(e.getKey(), e.getValue().handle));
        return Collections.unmodifiableMap(all);
    }

    /**
     * Cancels a run without waiting (see {@link RunHandle#cancel()}); it stays listed until retired.
     *
     * @param id the run's id
     * @return whether there was such a run
     */
    public boolean cancel(String id) {
        Optional<RunHandle> handle = get(id);
        handle.ifPresent(RunHandle::cancel);
        return handle.isPresent();
    }

    /** Cancels every run, without waiting, as a service does when it shuts down. */
    public void cancelAll() {
        runs.values().forEach(e -> e.handle.cancel());
    }

    /**
     * Removes a run now, whatever its state (it is not cancelled: call {@link #cancel} first).
     *
     * @param id the run's id
     * @return the handle removed, or empty
     */
    public Optional<RunHandle> remove(String id) {
        Objects.requireNonNull(id, "id");
        Entry e = runs.remove(id);
        if (e == null) {
            return Optional.empty();
        }
        Disposable timer = e.timer;
        if (timer != null) {
            timer.dispose();
        }
        return Optional.of(e.handle);
    }

    /** @return the number of runs listed that have not ended */
    public int active() {
        return (int) runs.values().stream().filter(e -> e.handle.outcomeNow().isEmpty()).count();
    }

    /** @return the number of runs listed */
    public int size() {
        return runs.size();
    }

    /** @return how long a run stays after it has ended */
    public Duration retention() {
        return retention;
    }

    private static final class Entry {
        final RunHandle handle;
        volatile Disposable timer;

        Entry(RunHandle handle) {
            this.handle = handle;
        }
    }
}

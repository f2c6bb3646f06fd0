package io.epochflux.nn;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Who may touch one model's weights: a lock that every read and write of the weights takes (so
 * they fall between two training batches, never inside one), the training session that holds the
 * model, if any, and the runs that wait for it, first come first served.
 *
 * <p>A run that finds the model held does not wait on a thread: {@link #queueIfHeld} records
 * a callback and returns, and the thread that {@link #release releases} the model runs the
 * callbacks once it has let go of the lock (each then tries again: another may take the model
 * first). Every implementation of {@link Trainable} keeps one lease per model it trains in place,
 * so two handles on one network ({@code Dl4jModel.of} called twice) share the lease.
 *
 * <p>Only {@link #tryLock()} never waits. {@link #lock()} waits for the batch in flight: call it
 * from threads that may wait, never from an event loop.
 */
public final class ModelLease {

    private final ReentrantLock lock = new ReentrantLock();
    /** The session that holds the model, or null. Guarded by {@link #lock}. */
    private Object holder;
    /** Told when the holder lets go. Guarded by {@link #lock}. */
    private final ArrayDeque<Runnable> waiters = new ArrayDeque<>();

    /** Creates a free lease. */
    public ModelLease() {
    }

    /** Takes the lock, waiting for the batch in flight, if any. */
    public void lock() {
        lock.lock();
    }

    /**
     * Takes the lock if no one holds it right now.
     *
     * @return whether the lock was taken
     */
    public boolean tryLock() {
        return lock.tryLock();
    }

    /** Lets go of the lock taken by {@link #lock()} or {@link #tryLock()}. */
    public void unlock() {
        lock.unlock();
    }

    /**
     * Returns the session that holds the model; call it holding the lock.
     *
     * @return the holder, or null when the model is free
     */
    public Object holder() {
        checkLocked();
        return holder;
    }

    /**
     * Queues {@code whenFree} if a session holds the model; call it holding the lock.
     *
     * @param whenFree run once by the thread that releases the model; it must not block
     * @return true when the model is held and {@code whenFree} was queued, false when the model is free
     */
    public boolean queueIfHeld(Runnable whenFree) {
        Objects.requireNonNull(whenFree, "whenFree");
        checkLocked();
        if (holder == null) {
            return false;
        }
        waiters.add(whenFree);
        return true;
    }

    /**
     * Gives the model to {@code session}, which must find it free. Call it holding the lock.
     *
     * @param session the new holder
     * @throws IllegalStateException when another session holds the model
     */
    public void acquire(Object session) {
        Objects.requireNonNull(session, "session");
        checkLocked();
        if (holder != null) {
            throw new IllegalStateException("this model is already being trained; a model trains one run at a time "
                    + "(build a second model for a concurrent run)");
        }
        holder = session;
    }

    /**
     * Lets the model go, holding the lock; the caller runs the returned callbacks after it has
     * unlocked (see {@link #runAll}).
     *
     * @param session the holder letting go; a session that no longer holds the model changes nothing
     * @return who waited for the model
     */
    public List<Runnable> release(Object session) {
        checkLocked();
        if (holder != session) {
            return List.of();
        }
        holder = null;
        List<Runnable> told = List.copyOf(waiters);
        waiters.clear();
        return told;
    }

    /**
     * Runs the callbacks {@link #release} returned, on this thread, outside the lock.
     *
     * @param waiting the callbacks
     */
    public static void runAll(List<Runnable> waiting) {
        for (Runnable r : waiting) {
            r.run();
        }
    }

    private void checkLocked() {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("the model lease must be locked by the calling thread");
        }
    }
}

package io.epochflux.train;

/** Test helpers of this package that tests elsewhere use. */
public final class TrainerAccess {

    private TrainerAccess() {
    }

    /**
     * Waits until no live thread has this name.
     *
     * @param name a thread name
     * @throws InterruptedException when interrupted
     */
    public static void awaitThreadGone(String name) throws InterruptedException {
        TrainerTest.awaitThreadGone(name);
    }
}

package io.epochflux.train;

import io.epochflux.data.Dataset;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Sequential;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.annotations.AfterClass;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;

/** The training stream passes the Reactive Streams TCK's publisher rules. */
public class TrainerPublisherTckTest extends PublisherVerification<EpochMetrics> {

    private static final Dataset TINY = Dataset.of("tiny", 4, 2, 2,
            new float[] {0, 1, 1, 0, 1, 1, 0, 0}, new float[] {1, 0, 1, 0, 0, 1, 0, 1});

    /** A model held by a run that asked for one epoch and waits: every other run of it fails. */
    private final Sequential busy = Sequential.builder(2).dense(2, Activation.SOFTMAX).build();
    private Disposable holder;

    public TrainerPublisherTckTest() {
        super(new TestEnvironment(1000));
    }

    @AfterClass
    public void releaseTheBusyModel() {
        if (holder != null) {
            holder.dispose();
        }
    }

    @Override
    public Publisher<EpochMetrics> createPublisher(long elements) {
        Sequential model = Sequential.builder(2).dense(2, Activation.SOFTMAX).build();
        return Trainer.builder().epochs((int) Math.min(elements, Integer.MAX_VALUE)).batchSize(2).build()
                .fit(model, TINY, TINY);
    }

    @Override
    public synchronized Publisher<EpochMetrics> createFailedPublisher() {
        Trainer trainer = Trainer.builder().epochs(Integer.MAX_VALUE).batchSize(2).build();
        if (holder == null) {
            java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
            BaseSubscriber<EpochMetrics> waiting = new BaseSubscriber<>() {
                @Override
                protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
                    subscription.request(1);
                }

                @Override
                protected void hookOnNext(EpochMetrics value) {
                    holding.countDown(); // the run holds the model and waits for demand
                }
            };
            trainer.fit(busy, TINY, TINY).subscribe(waiting);
            try {
                if (!holding.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the holding run did not start");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            holder = waiting;
        }
        // a real run that fails at subscription: its model is already being trained
        return trainer.fit(busy, TINY, TINY);
    }

    @Override
    public long maxElementsFromPublisher() {
        return Integer.MAX_VALUE;
    }
}

package io.epochflux.train;

import io.epochflux.data.Dataset;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Sequential;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;
import org.testng.annotations.AfterClass;
import reactor.core.Disposable;

/** The training stream passes the Reactive Streams TCK's publisher rules. */
public class TrainerPublisherTckTest extends PublisherVerification<EpochMetrics> {

    private static final Dataset TINY = Dataset.of("tiny", 4, 2, 2,
            new float[] {0, 1, 1, 0, 1, 1, 0, 0}, new float[] {1, 0, 1, 0, 0, 1, 0, 1});

    /** A run already subscribed: a second subscriber is refused with onError. */
    private final TrainingRun run = Trainer.builder().epochs(3).batchSize(2).build()
            .run(Sequential.builder(2).dense(2, Activation.SOFTMAX).build(), TINY, TINY);
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
        if (holder == null) {
            // a run takes one subscriber: once this one holds it, every other subscription fails
            holder = run.epochs().subscribe();
        }
        return run.epochs();
    }

    @Override
    public long maxElementsFromPublisher() {
        return Integer.MAX_VALUE;
    }
}

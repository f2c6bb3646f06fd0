import io.epochflux.data.Mnist;
import io.epochflux.data.Split;
import io.epochflux.nn.Activation;
import io.epochflux.nn.Optimizer;
import io.epochflux.nn.Sequential;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.Trainer;
import reactor.core.Disposable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How long {@code dispose()} holds the cancelling thread, over 1,000 cancels of seed runs in the
 * middle of training, with 8 other seed runs training meanwhile. Uses only {@code fit}, so the same
 * file measures any version of the library:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/epochflux.jar docs/bench/CancelLatency.java
 * </pre>
 */
public class CancelLatency {
    public static void main(String[] args) throws Exception {
        int cancels = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        Split split = Mnist.sampleSplit(Mnist.bundledSample(), 700, 300, 10);
        List<Disposable> load = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            load.add(trainer(1_000_000, i).fit(model(i), split.train(), split.validation()).subscribe());
        }
        long[] nanos = new long[cancels];
        for (int i = 0; i < cancels; i++) {
            CountDownLatch firstEpoch = new CountDownLatch(1);
            Disposable run = trainer(1_000_000, 100 + i).fit(model(100 + i), split.train(), split.validation())
                    .doOnNext(e -> firstEpoch.countDown())
                    .subscribe();
            if (!firstEpoch.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("run " + i + " did not start");
            }
            long started = System.nanoTime();
            run.dispose();                       // mid-epoch: the run is training its next epoch
            nanos[i] = System.nanoTime() - started;
        }
        load.forEach(Disposable::dispose);
        Arrays.sort(nanos);
        System.out.printf("cancel latency on the cancelling thread over %d cancels under load of 8 runs:"
                        + " median %.1f us, p99 %.1f us, worst %.1f us%n",
                cancels, nanos[cancels / 2] / 1e3, nanos[(int) (cancels * 0.99)] / 1e3, nanos[cancels - 1] / 1e3);
        System.exit(0);
    }

    static Trainer trainer(int epochs, long seed) {
        return Trainer.builder().epochs(epochs).batchSize(10).optimizer(Optimizer.sgd(0.01)).seed(seed).build();
    }

    static Sequential model(long seed) {
        return Sequential.builder(784).dense(2, Activation.RELU).dense(10, Activation.SOFTMAX).seed(seed).build();
    }
}

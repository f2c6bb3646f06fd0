package io.epochflux;

import io.epochflux.data.Dataset;
import io.epochflux.data.Mnist;
import io.epochflux.data.Split;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The bundled sample, loaded once per test JVM. */
public final class TestData {

    private static Dataset sample;

    private TestData() {
    }

    /** @return the 10,000-digit bundled sample */
    public static synchronized Dataset sample() {
        if (sample == null) {
            try {
                sample = Mnist.bundledSample();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return sample;
    }

    /** @return the seed experiment's split: 700 training and 300 validation digits, seed 10 */
    public static Split seedSplit() {
        return Mnist.sampleSplit(sample(), 700, 300, 10);
    }
}

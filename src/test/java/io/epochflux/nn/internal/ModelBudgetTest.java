package io.epochflux.nn.internal;

import io.epochflux.nn.Activation;
import io.epochflux.nn.Loss;
import io.epochflux.nn.Sequential;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelBudgetTest {

    @Test
    void countsParametersFiveTimesAndABatchOfActivations() {
        Layout seed = new Layout(784, new int[] {2, 10}, new Activation[] {Activation.RELU, Activation.SOFTMAX},
                Loss.CATEGORICAL_CROSSENTROPY);
        long parameters = 784 * 2 + 2 + 2 * 10 + 10;
        assertEquals(parameters * 4 * 5 + 10L * 784 * 4 * 2 * 3, ModelBudget.trainingBytes(seed, 10));
    }

    @Test
    void sequentialRefusesAModelTooLargeForTheHeapBeforeAllocatingIt() {
        // 795,000,010 parameters: 16.7 GB to train, more than the test JVM's heap
        Sequential.Builder b = Sequential.builder(784).dense(1_000_000, Activation.RELU).dense(10, Activation.SOFTMAX);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
        assertTrue(e.getMessage().startsWith("the model 784-1000000(relu)-10(softmax) (795,000,010 parameters x 4 bytes"
                + " x 5 copies, plus batch 32's activations) needs 16.7 GB, but the heap has "), e.getMessage());
        assertTrue(e.getMessage().endsWith("raise -Xmx or use narrower layers"), e.getMessage());
        assertDoesNotThrow(() -> Sequential.builder(784).dense(64, Activation.RELU).dense(10, Activation.SOFTMAX).build());
    }
}

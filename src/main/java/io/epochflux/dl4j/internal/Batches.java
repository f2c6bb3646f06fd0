package io.epochflux.dl4j.internal;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Copies a dataset's rows into the arrays DL4J trains on: the rows the trainer's order names,
 * gathered into heap buffers (reused) and then into new ND4J arrays of the network's input shape.
 */
public final class Batches {

    private final float[] features;
    private final float[] targets;
    private final int featureCount;
    private final int targetCount;
    private final long[] inputShape;
    private float[] x = new float[0];
    private float[] y = new float[0];

    /**
     * @param features the dataset's features, row-major, read in place
     * @param targets the dataset's targets, row-major, read in place
     * @param featureCount features per row
     * @param targetCount targets per row
     * @param inputShape the shape of one example for the network, or an empty array for flat rows
     */
    public Batches(float[] features, float[] targets, int featureCount, int targetCount, long[] inputShape) {
        this.features = features;
        this.targets = targets;
        this.featureCount = featureCount;
        this.targetCount = targetCount;
        this.inputShape = inputShape.clone();
    }

    /**
     * Gathers the examples {@code order[from..to)}.
     *
     * @param order a permutation of the examples, or null for the examples in order
     * @param from first position
     * @param to last position, exclusive
     * @return features and targets
     */
    public INDArray[] gather(int[] order, int from, int to) {
        int rows = to - from;
        if (x.length != rows * featureCount) {
            x = new float[rows * featureCount];
            y = new float[rows * targetCount];
        }
        for (int i = 0; i < rows; i++) {
            int e = order == null ? from + i : order[from + i];
            System.arraycopy(features, e * featureCount, x, i * featureCount, featureCount);
            System.arraycopy(targets, e * targetCount, y, i * targetCount, targetCount);
        }
        return new INDArray[] {Nd4j.create(x, shape(rows), 'c'), Nd4j.create(y, new long[] {rows, targetCount}, 'c')};
    }

    private long[] shape(int rows) {
        if (inputShape.length == 0) {
            return new long[] {rows, featureCount};
        }
        long[] s = new long[inputShape.length + 1];
        s[0] = rows;
        System.arraycopy(inputShape, 0, s, 1, inputShape.length);
        return s;
    }
}

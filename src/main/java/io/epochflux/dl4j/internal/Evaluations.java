package io.epochflux.dl4j.internal;

import io.epochflux.data.Dataset;
import io.epochflux.data.Task;
import io.epochflux.internal.DatasetArrays;
import io.epochflux.nn.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/** Loss and the metric of a DL4J network over a dataset, in inference mode, chunk by chunk. */
public final class Evaluations {

    private Evaluations() {
    }

    /**
     * Evaluates in chunks: the network's own score of each chunk (its mean loss plus the
     * regularization penalty), weighted by the chunk's rows, so the mean does not depend on the
     * chunk size; the metric from the network's outputs.
     *
     * @param net the network
     * @param data the examples
     * @param chunk rows per forward pass
     * @param inputShape one example's shape, or empty for flat rows
     * @return the figures
     */
    public static Evaluation evaluate(Network net, Dataset data, int chunk, long[] inputShape) {
        Batches batches = new Batches(DatasetArrays.features(data), DatasetArrays.labels(data), data.featureCount(),
                data.labelCount(), inputShape);
        boolean regression = data.task() == Task.REGRESSION;
        double lossSum = 0;
        double metricSum = 0;
        int n = data.size();
        for (int from = 0; from < n; from += chunk) {
            int to = Math.min(n, from + chunk);
            INDArray[] xy = batches.gather(null, from, to);
            lossSum += net.score(new DataSet(xy[0], xy[1])) * (to - from);
            INDArray out = net.output(xy[0]);
            metricSum += regression ? Dl4jSession.absoluteErrorSum(out, xy[1]) : Dl4jSession.correct(out, xy[1]);
        }
        double loss = n == 0 ? Double.NaN : lossSum / n;
        double metric = n == 0 ? Double.NaN : metricSum / n;
        return regression ? Evaluation.regression(loss, metric, n) : new Evaluation(loss, metric, n);
    }
}

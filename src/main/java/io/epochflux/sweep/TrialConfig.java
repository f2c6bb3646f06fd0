package io.epochflux.sweep;

import io.epochflux.nn.Activation;
import io.epochflux.nn.Optimizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * One point of a search space: the settings a trial trains with.
 *
 * @param hidden the hidden layers' widths, outermost first; not empty, each {@code >= 1}
 * @param activation the hidden layers' activation
 * @param optimizer {@code sgd} or {@code adam}
 * @param learningRate the learning rate, {@code > 0}
 * @param momentum SGD's momentum, {@code 0 <= m < 1}; always 0 with adam
 * @param batchSize examples per step, {@code >= 1}
 * @param patience early stopping's patience for this trial; empty: the sweep's early stopping as
 *                 configured
 */
public record TrialConfig(List<Integer> hidden, Activation activation, String optimizer, double learningRate,
                          double momentum, int batchSize, OptionalInt patience) {

    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException when a setting breaks its rule
     */
    public TrialConfig {
        Objects.requireNonNull(hidden, "hidden");
        Objects.requireNonNull(activation, "activation");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(patience, "patience");
        hidden = List.copyOf(hidden);
        if (hidden.isEmpty() || hidden.stream().anyMatch(u -> u < 1)) {
            throw new IllegalArgumentException("hidden must be non-empty widths >= 1, but was " + hidden);
        }
        if (!optimizer.equals("sgd") && !optimizer.equals("adam")) {
            throw new IllegalArgumentException("optimizer must be sgd or adam, but was " + optimizer);
        }
        if (!(learningRate > 0 && Double.isFinite(learningRate))) {
            throw new IllegalArgumentException("learningRate must be > 0, but was " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be >= 0 and < 1, but was " + momentum);
        }
        if (optimizer.equals("adam") && momentum != 0) {
            throw new IllegalArgumentException("momentum must be 0 with adam, but was " + momentum);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, but was " + batchSize);
        }
        if (patience.isPresent() && patience.getAsInt() < 0) {
            throw new IllegalArgumentException("patience must be >= 0, but was " + patience.getAsInt());
        }
    }

    /** @return the optimizer these settings describe, fresh state on every run as always */
    public Optimizer toOptimizer() {
        return optimizer.equals("adam") ? Optimizer.adam(learningRate) : Optimizer.sgd(learningRate, momentum, false);
    }

    /** @return the hidden widths as the command line writes one alternative: {@code 64-32} */
    public String hiddenText() {
        return String.join("-", hidden.stream().map(String::valueOf).toList());
    }

    /**
     * The same settings as {@code epochflux train} options, for {@code best.json} and for
     * rerunning the trial on its own.
     *
     * @return options and values, in order
     */
    public List<String> trainOptions() {
        List<String> o = new ArrayList<>(List.of("--hidden", String.join(",", hidden.stream().map(String::valueOf).toList()),
                "--activation", activation.kerasName(), "--optimizer", optimizer, "--lr", number(learningRate)));
        if (optimizer.equals("sgd") && momentum != 0) {
            o.add("--momentum");
            o.add(number(momentum));
        }
        o.add("--batch-size");
        o.add(String.valueOf(batchSize));
        if (patience.isPresent()) {
            o.add("--patience");
            o.add(String.valueOf(patience.getAsInt()));
        }
        return o;
    }

    /** @return a short description: {@code hidden=64-32 relu sgd lr=0.01 batch=10} */
    public String describe() {
        StringBuilder sb = new StringBuilder("hidden=").append(hiddenText()).append(' ').append(activation.kerasName())
                .append(' ').append(optimizer).append(" lr=").append(number(learningRate));
        if (momentum != 0) {
            sb.append(" momentum=").append(number(momentum));
        }
        sb.append(" batch=").append(batchSize);
        patience.ifPresent(p -> sb.append(" patience=").append(p));
        return sb.toString();
    }

    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.valueOf((long) v);
        }
        String s = String.format(Locale.ROOT, "%.10g", v);
        // plain, shortest form: 0.001 rather than 1.000000000e-03
        return new java.math.BigDecimal(s).stripTrailingZeros().toPlainString();
    }
}

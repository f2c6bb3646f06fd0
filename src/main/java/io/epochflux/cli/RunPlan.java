package io.epochflux.cli;

import io.epochflux.data.Split;
import io.epochflux.nn.Trainable;
import io.epochflux.stop.EarlyStopping;
import io.epochflux.stop.StopRule;
import io.epochflux.train.Trainer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything one run needs, built from the command line.
 *
 * @param name the run's name: its directory, its metrics label, its row in a table
 * @param model the model to train
 * @param trainer the training configuration
 * @param split the data
 * @param earlyStopping the early stopping rule, or null
 * @param rule every stop rule composed (early stopping included), or null
 * @param configuration the settings, for report.json
 */
record RunPlan(String name, Trainable model, Trainer trainer, Split split, EarlyStopping earlyStopping, StopRule rule,
               Map<String, Object> configuration) {

    /** @return a short title for charts: the settings that tell runs apart */
    String title() {
        return name + ": " + model.describe() + ", " + optimizerOf(this) + ", batch " + trainer.batchSize() + ", seed "
                + trainer.seed();
    }

    /** @return the optimizer and its rate, as in {@code sgd lr 0.01}, or what a model with its own updater trains with */
    static String optimizerOf(RunPlan plan) {
        if (plan.model().ownsOptimizer()) {
            return "the network's updater, lr " + plan.model().learningRate(plan.trainer().optimizer());
        }
        return plan.trainer().optimizer().name() + " lr " + plan.trainer().optimizer().learningRate();
    }

    /** @return the configuration as the tags of the metrics' info gauge */
    Map<String, String> infoTags() {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("model", model.describe());
        tags.put("optimizer", model.ownsOptimizer() ? model.engine() + " updater" : trainer.optimizer().name());
        tags.put("learning_rate", String.valueOf(model.learningRate(trainer.optimizer())));
        tags.put("batch_size", String.valueOf(trainer.batchSize()));
        tags.put("epochs", String.valueOf(trainer.epochs()));
        tags.put("seed", String.valueOf(trainer.seed()));
        tags.put("stop_rule", rule == null ? "none" : rule.describe());
        return tags;
    }
}

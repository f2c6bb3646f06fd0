package io.epochflux.train;

import io.epochflux.data.Dataset;
import io.epochflux.nn.Optimizer;
import io.epochflux.nn.Trainable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Trains a model as a cold, demand-driven stream of epochs.
 *
 * <p>{@link #fit} returns a {@code Flux<EpochMetrics>} that does nothing until it is subscribed.
 * Each subscription is an independent run: it starts from the weights the model had when
 * {@code fit} was called (or, if a previous run still held the model then, from the weights that
 * run left it with), with fresh optimizer state and a shuffle stream drawn from the trainer's
 * seed, so subscribing twice gives the same epochs. {@link #run} gives the same run as a handle
 * with a status, a cancel and an outcome.
 *
 * <p>One epoch runs per unit of demand, in tasks on the trainer's scheduler (by default
 * {@link TrainingPool#shared()}, bounded by the number of cores), never on the subscriber's
 * thread; epochs are emitted on that scheduler's threads. A run without demand holds no thread,
 * and runs sharing a pool take turns, a task of up to 5 ms (at least one epoch) each. A run that
 * finds its model held by another run queues until that run releases it, holding no thread either.
 *
 * <p>Cancelling the subscription, from any thread, returns at once: the batch in flight (if any)
 * completes, no batch starts after it, an unfinished epoch is rolled back, and the run's own
 * thread then releases the model. Ending the stream is how every stop rule stops training. The
 * last epoch of a run that used every epoch carries a {@link StopReport} with
 * {@link StopReason#MAX_EPOCHS}. Nothing in a run interrupts a thread, so downstream code may do
 * file I/O in any signal (save the model in {@code doOnComplete}, for example).
 *
 * <p>Each epoch carries a {@link ModelSnapshot} only when something downstream can use it: a stop
 * rule that restores weights (it asks through the subscriber context, see {@link RunLink}),
 * {@link Builder#snapshots(boolean)}, or {@code contextWrite(RunLink.withSnapshots())}. Otherwise
 * no weights are copied per epoch.
 *
 * <p>The learning rate is the optimizer's until an operator downstream changes it through
 * {@link RunLink#setLearningRate} (the learning-rate operators of {@code io.epochflux.schedule}); a
 * change made while epoch {@code n} is delivered applies from epoch {@code n + 1}. With such an
 * operator in the chain, every epoch also carries {@code learning_rate}, the rate it trained with.
 *
 * <pre>
 *   request(1)          request(2)
 *   ----------[epoch 1]----------[epoch 2]--[epoch 3]-- ... --[epoch n, MAX_EPOCHS]--|
 * </pre>
 *
 * <p>A trainer is an immutable configuration and can be shared.
 */
public final class Trainer {

    /** The seed used when the builder is given none. */
    public static final long DEFAULT_SEED = 12345L;

    private final int epochs;
    private final int batchSize;
    private final Optimizer optimizer;
    private final boolean shuffle;
    private final long seed;
    private final BatchListener batchListener;
    private final Scheduler scheduler;
    private final boolean snapshots;
    /** Whether optimizer(...) was called: a model with its own optimizer refuses such a trainer. */
    private final boolean optimizerSet;

    private Trainer(Builder b) {
        this.epochs = b.epochs;
        this.batchSize = b.batchSize;
        this.optimizer = b.optimizer;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.batchListener = b.batchListener;
        this.scheduler = b.scheduler;
        this.snapshots = b.snapshots;
        this.optimizerSet = b.optimizerSet;
    }

    /**
     * Starts a trainer with Keras' defaults: 1 epoch, batch size 32, SGD with learning rate 0.01,
     * shuffling every epoch, seed {@value #DEFAULT_SEED}.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains {@code model} on {@code train}, reporting only the training loss and accuracy.
     *
     * @param model the model to train in place
     * @param train the training examples
     * @return a cold stream of epochs
     */
    public Flux<EpochMetrics> fit(Trainable model, Dataset train) {
        return fit(model, train, null);
    }

    /**
     * Trains {@code model} on {@code train}, evaluating {@code validation} after every epoch
     * ({@code val_loss}, {@code val_accuracy}).
     *
     * @param model the model to train in place; it ends with the weights of the last epoch run
     *              (or those a stop rule restored)
     * @param train the training examples
     * @param validation the validation examples, or null for none
     * @return a cold stream of epochs
     * @throws IllegalArgumentException when the data does not fit the model
     */
    public Flux<EpochMetrics> fit(Trainable model, Dataset train, Dataset validation) {
        check(model, train, validation);
        if (epochs == 0) {
            return Flux.empty();
        }
        Run.Start start = new Run.Start(model.parametersIfIdle());
        return Flux.defer(() -> new Run(this, model, train, validation, start).epochs());
    }

    /**
     * Makes one run as a handle: its stream (subscribe once to start it), its status, a cancel that
     * never waits, and its outcome once the model is released. The run starts from the weights the
     * model has when it takes hold of the model.
     *
     * @param model the model to train in place
     * @param train the training examples
     * @param validation the validation examples, or null for none
     * @return the run, not started
     * @throws IllegalArgumentException when the data does not fit the model, or epochs is 0
     */
    public TrainingRun run(Trainable model, Dataset train, Dataset validation) {
        check(model, train, validation);
        if (epochs == 0) {
            throw new IllegalArgumentException("epochs must be >= 1 for a run, but was 0");
        }
        return new TrainingRun(new Run(this, model, train, validation, new Run.Start(java.util.Optional.empty())));
    }

    /**
     * Continues a run from a checkpoint taken at the end of its epoch N: every subscription is a
     * run whose first emitted epoch is N + 1, starting from the checkpoint's weights, optimizer
     * state and shuffle position, so that (on the same machine, with the same BLAS thread count)
     * its epochs are bit for bit those the checkpointed run would have gone on to emit. The stop
     * rules' states are given back separately (see {@code io.epochflux.checkpoint.Checkpoints}).
     * @param model the model to train in place; its own weights are replaced by the checkpoint's
     * @param train the training examples the checkpointed run trained on
     * @param validation the validation examples, or null for none
     * @param from the checkpoint
     * @return a cold stream of epochs N + 1, N + 2, ...
     * @throws IllegalArgumentException when the checkpoint belongs to another model, settings or data,
     *         or when {@link #epochs()} leaves nothing to run after it
     */
    public Flux<EpochMetrics> fit(Trainable model, Dataset train, Dataset validation, Checkpoint from) {
        check(model, train, validation);
        Objects.requireNonNull(from, "from");
        from.checkFits(this, model, train);
        Run.Start start = new Run.Start(from);
        return Flux.defer(() -> new Run(this, model, train, validation, start).epochs());
    }

    /**
     * Makes one run continued from a checkpoint, as a handle; see
     * {@link #fit(Trainable, Dataset, Dataset, Checkpoint)}.
     * @param model the model to train in place
     * @param train the training examples the checkpointed run trained on
     * @param validation the validation examples, or null for none
     * @param from the checkpoint
     * @return the run, not started; its first epoch is the checkpoint's epoch + 1
     * @throws IllegalArgumentException when the checkpoint does not fit, or nothing is left to run
     */
    public TrainingRun run(Trainable model, Dataset train, Dataset validation, Checkpoint from) {
        check(model, train, validation);
        Objects.requireNonNull(from, "from");
        from.checkFits(this, model, train);
        return new TrainingRun(new Run(this, model, train, validation, new Run.Start(from)));
    }

    private void check(Trainable model, Dataset train, Dataset validation) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(train, "train");
        model.checkFits(train, "train");
        if (validation != null) {
            model.checkFits(validation, "validation");
        }
        if (train.size() == 0) {
            throw new IllegalArgumentException("train must have at least one example, but " + train.name() + " has none");
        }
        if (model.ownsOptimizer() && optimizerSet) {
            throw new IllegalArgumentException("optimizer must not be set for a " + model.engine() + " model, but was "
                    + optimizer.name() + ": the network's own updater is its optimizer (build the trainer without optimizer(...))");
        }
    }

    /** @return the number of epochs a run goes to */
    public int epochs() {
        return epochs;
    }

    /** @return examples per batch */
    public int batchSize() {
        return batchSize;
    }

    /** @return the optimizer configuration */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** @return whether the training examples are shuffled every epoch */
    public boolean shuffle() {
        return shuffle;
    }

    /** @return the seed of each run's shuffle stream */
    public long seed() {
        return seed;
    }

    BatchListener batchListener() {
        return batchListener;
    }

    /** @return where runs train: the builder's scheduler, or {@link TrainingPool#shared()} */
    public Scheduler scheduler() {
        return scheduler != null ? scheduler : TrainingPool.shared();
    }

    /** @return whether every epoch carries a snapshot even when nothing downstream asks for one */
    public boolean snapshots() {
        return snapshots;
    }

    /**
     * Describes the configuration, for reports and provenance.
     *
     * @return setting names to values, in a stable order
     */
    public Map<String, Object> describe() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("epochs", epochs);
        d.put("batch_size", batchSize);
        d.put("optimizer", optimizer.name());
        d.put("learning_rate", optimizer.learningRate());
        if (optimizer instanceof Optimizer.Sgd sgd) {
            d.put("momentum", sgd.momentum());
            d.put("nesterov", sgd.nesterov());
        } else if (optimizer instanceof Optimizer.Adam adam) {
            d.put("beta_1", adam.beta1());
            d.put("beta_2", adam.beta2());
            d.put("epsilon", adam.epsilon());
        }
        d.put("shuffle", shuffle);
        d.put("seed", seed);
        return d;
    }

    @Override
    public String toString() {
        return "Trainer" + describe();
    }

    /** Builds a {@link Trainer}. */
    public static final class Builder {
        private int epochs = 1;
        private int batchSize = 32;
        private Optimizer optimizer = Optimizer.sgd();
        private boolean shuffle = true;
        private long seed = DEFAULT_SEED;
        private BatchListener batchListener;
        private Scheduler scheduler;
        private boolean snapshots;
        private boolean optimizerSet;

        private Builder() {
        }

        /**
         * Sets where runs train, one epoch per task (default {@link TrainingPool#shared()}). Any
         * scheduler works; its tasks must be allowed to run for an epoch's time, so not an event
         * loop. The trainer never disposes it.
         *
         * @param scheduler the scheduler
         * @return this builder
         */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Sets whether every epoch carries a {@link ModelSnapshot} even when nothing downstream asks
         * for one (default false: restoring stop rules ask for them through the subscriber context).
         * A snapshot copies every parameter once an epoch.
         *
         * @param snapshots true to always snapshot
         * @return this builder
         */
        public Builder snapshots(boolean snapshots) {
            this.snapshots = snapshots;
            return this;
        }

        /**
         * Sets how many epochs a run goes to at most (default 1).
         *
         * @param epochs {@code >= 0}; 0 gives an empty stream
         * @return this builder
         */
        public Builder epochs(int epochs) {
            if (epochs < 0) {
                throw new IllegalArgumentException("epochs must be >= 0, but was " + epochs);
            }
            this.epochs = epochs;
            return this;
        }

        /**
         * Sets the examples per training step (default 32).
         *
         * @param batchSize {@code >= 1}
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize must be >= 1, but was " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * Sets the optimizer (default SGD, learning rate 0.01). Each run starts it afresh.
         *
         * @param optimizer the update rule
         * @return this builder
         */
        public Builder optimizer(Optimizer optimizer) {
            this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
            this.optimizerSet = true;
            return this;
        }

        /**
         * Sets whether to shuffle the training examples every epoch (default true).
         *
         * @param shuffle true to shuffle
         * @return this builder
         */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /**
         * Sets the seed of each run's shuffle stream (default {@value Trainer#DEFAULT_SEED}).
         *
         * @param seed any value
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Sets a listener told of every batch, on the training thread (default none).
         *
         * @param listener the listener, or null for none
         * @return this builder
         */
        public Builder batchListener(BatchListener listener) {
            this.batchListener = listener;
            return this;
        }

        /** @return the trainer */
        public Trainer build() {
            return new Trainer(this);
        }
    }
}

package io.epochflux.dl4j;

import io.epochflux.checkpoint.CheckpointStore;
import io.epochflux.checkpoint.Checkpoints;
import io.epochflux.checkpoint.ResumePoint;
import io.epochflux.data.Split;
import io.epochflux.internal.AtomicFiles;
import io.epochflux.train.EpochMetrics;
import io.epochflux.train.Trainer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.learning.config.Adam;
import reactor.core.publisher.Flux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The child process of {@link Dl4jCheckpointKillTest}: trains a DL4J network (with dropout) for
 * {@link #EPOCHS} epochs, checkpointing every epoch into {@code DIR/checkpoints}, continuing from
 * the newest good checkpoint there if any. It prints {@code resuming from epoch N} when it
 * continues, one line {@code epoch N {values}} per epoch (the doubles in Java's round-trip
 * form), and at the end writes the final parameters, little-endian float32, to
 * {@code DIR/params.f32}.
 *
 * <p>Usage: {@code java -cp <test classpath> io.epochflux.dl4j.Dl4jCheckpointChild DIR}
 */
final class Dl4jCheckpointChild {

    static final int EPOCHS = 8;
    static final String CHECKPOINTS = "checkpoints";
    static final String PARAMS = "params.f32";

    private Dl4jCheckpointChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Split split = Dl4jNets.small();
        MultiLayerNetwork net = Dl4jNets.init(Dl4jNets.denseConf(51, new Adam(1e-3), 16, 0.8));
        Dl4jModel model = Dl4jModel.of(net);
        Trainer trainer = Trainer.builder().epochs(EPOCHS).batchSize(30).seed(9).build();
        CheckpointStore store = CheckpointStore.in(dir.resolve(CHECKPOINTS), 2);
        Checkpoints every = Checkpoints.every(1, store::writeUnchecked);

        CheckpointStore.Lookup lookup = store.latest(trainer, model, split.train());
        lookup.refused().forEach(r -> System.out.println("refused " + r));
        Optional<ResumePoint> from = lookup.point();
        Flux<EpochMetrics> epochs;
        if (from.isPresent()) {
            System.out.println("resuming from epoch " + from.get().epoch());
            epochs = trainer.fit(model, split.train(), split.validation(), from.get().run()).transform(every.resumingFrom(from.get()));
        } else {
            epochs = trainer.fit(model, split.train(), split.validation()).transform(every);
        }
        epochs.doOnNext(e -> System.out.println("epoch " + e.epoch() + " " + e.values())).blockLast();

        float[] params = net.params().toFloatVector();
        ByteBuffer bytes = ByteBuffer.allocate(params.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(params);
        AtomicFiles.write(dir.resolve(PARAMS), bytes.array());
        System.out.println("done");
        System.out.flush();
        // ND4J leaves threads of its own behind; only main ends the process
        System.exit(0);
    }
}

package io.epochflux.server;

import io.epochflux.data.Dataset;
import io.epochflux.data.Mnist;
import io.epochflux.data.Split;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The data a run may read, by name: the bundled sample and the directories named when the server
 * started. A request names one; it never gives a path. Each is loaded once, off the event loop,
 * on first use, and kept.
 */
final class DataSets {

    static final String BUNDLED = "bundled";

    private final Map<String, Path> directories;
    private final ConcurrentMap<String, Mono<Object>> loaded = new ConcurrentHashMap<>();

    DataSets(Map<String, Path> directories) {
        this.directories = Collections.unmodifiableMap(new LinkedHashMap<>(directories));
    }

    /** @return the names a request may use, the bundled sample first */
    java.util.List<String> names() {
        java.util.List<String> names = new java.util.ArrayList<>();
        names.add(BUNDLED);
        names.addAll(directories.keySet());
        return names;
    }

    boolean has(String name) {
        return BUNDLED.equals(name) || directories.containsKey(name);
    }

    /** Draws a run's split on a blocking-friendly thread; an impossible size is an InvalidField. */
    Mono<Split> split(RunRequest r) {
        Mono<Object> data = loaded.computeIfAbsent(r.data(), name -> Mono.fromCallable(() -> load(name))
                .subscribeOn(Schedulers.boundedElastic()).cache());
        return data.publishOn(Schedulers.boundedElastic()).map(d -> {
            if (d instanceof Dataset sample) {
                check("trainSize", r.trainSize(), Mnist.SAMPLE_TRAIN_POOL_END, "the bundled sample's training pool");
                check("valSize", r.valSize(), Mnist.SAMPLE_VALIDATION_POOL_END - Mnist.SAMPLE_TRAIN_POOL_END,
                        "the bundled sample's validation pool");
                return Mnist.sampleSplit(sample, r.trainSize(), r.valSize(), r.seed());
            }
            Mnist.TrainAndTest files = (Mnist.TrainAndTest) d;
            check("trainSize", r.trainSize(), files.train().size() - Mnist.KERAS_VALIDATION_POOL,
                    "the training pool of " + r.data());
            check("valSize", r.valSize(), Math.min(Mnist.KERAS_VALIDATION_POOL, files.train().size()),
                    "the validation pool of " + r.data());
            return Mnist.kerasSplit(files, r.trainSize(), r.valSize(), r.seed());
        });
    }

    private Object load(String name) throws java.io.IOException {
        return BUNDLED.equals(name) ? Mnist.bundledSample() : Mnist.directory(directories.get(name));
    }

    private static void check(String field, int size, int pool, String what) {
        if (size > pool) {
            throw new RunRequest.InvalidField(field, Integer.toString(size), "<= " + pool + " (" + what + ")");
        }
    }
}

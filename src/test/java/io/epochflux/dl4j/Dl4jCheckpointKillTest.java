package io.epochflux.dl4j;

import io.epochflux.checkpoint.CheckpointStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A child JVM training a DL4J network with a checkpoint every epoch, killed with SIGKILL once it
 * has written one and started again on the same directory, continues from the checkpoint and
 * ends with the parameters, bit for bit, of a child left alone, having printed the same epochs.
 */
class Dl4jCheckpointKillTest {

    private static final long DEADLINE_SECONDS = 60;
    private static final Pattern RESUMING = Pattern.compile("resuming from epoch (\\d+)");

    private static Process start(Path dir, Path log, long pauseMs) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        if (pauseMs > 0) {
            // each checkpoint write pauses before its rename, so the run outlasts the poll that kills it
            command.add("-D" + CheckpointStore.PAUSE_PROPERTY + "=" + pauseMs);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Dl4jCheckpointChild.class.getName());
        command.add(dir.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("OMP_NUM_THREADS", "1");
        return builder.start();
    }

    private static void finish(Process p, Path log) throws Exception {
        if (!p.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the child did not finish: " + read(log));
        }
        assertEquals(0, p.exitValue(), () -> "exit code; output: " + read(log));
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static List<String> names(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    private static long checkpoints(List<String> names) {
        return names.stream().filter(n -> n.matches("epoch-\\d+\\.ckpt")).count();
    }

    /** Polls the directory until it holds a checkpoint, then kills the child with SIGKILL; fails past the deadline. */
    private static void killAfterACheckpoint(Process p, Path dir, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (System.nanoTime() < deadline) {
            if (checkpoints(names(dir)) >= 1) {
                p.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no finally
                assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the killed child is gone");
                return;
            }
            // the poll's pause is a wait for the child's end: a child that ends first fails the test at once
            if (p.waitFor(10, TimeUnit.MILLISECONDS)) {
                fail("the child ended before it could be killed: " + read(log));
            }
        }
        p.destroyForcibly();
        fail("the child wrote no checkpoint within " + DEADLINE_SECONDS + " s: " + names(dir) + "\n" + read(log));
    }

    private static List<String> epochLines(Path log) throws IOException {
        return Files.readAllLines(log).stream().filter(l -> l.startsWith("epoch ")).toList();
    }

    @Test
    void aChildKilledAfterACheckpointAndStartedAgainEndsWithTheParametersOfAChildLeftAlone(@TempDir Path tmp)
            throws Exception {
        Path alone = tmp.resolve("alone");
        Path killed = tmp.resolve("killed");
        Path checkpointDir = killed.resolve(Dl4jCheckpointChild.CHECKPOINTS);
        Path aloneLog = tmp.resolve("alone.log");
        Path killedLog = tmp.resolve("killed.log");
        Path resumedLog = tmp.resolve("resumed.log");

        Process reference = start(alone, aloneLog, 0);
        Process first = start(killed, killedLog, 300);
        killAfterACheckpoint(first, checkpointDir, killedLog);
        assertFalse(Files.exists(killed.resolve(Dl4jCheckpointChild.PARAMS)), "the killed child never reached the end");
        assertFalse(read(killedLog).contains("done"), read(killedLog));

        Process second = start(killed, resumedLog, 0);
        finish(second, resumedLog);
        finish(reference, aloneLog);

        Matcher resuming = RESUMING.matcher(read(resumedLog));
        assertTrue(resuming.find(), "the second child continued a checkpoint: " + read(resumedLog));
        int from = Integer.parseInt(resuming.group(1));
        assertTrue(from >= 1 && from < Dl4jCheckpointChild.EPOCHS, "resumed from epoch " + from);
        assertFalse(read(resumedLog).contains("refused"), "no checkpoint was damaged: " + read(resumedLog));

        List<String> expected = epochLines(aloneLog);
        assertEquals(Dl4jCheckpointChild.EPOCHS, expected.size(), read(aloneLog));
        assertEquals(expected.subList(from, expected.size()), epochLines(resumedLog), "the epochs after the checkpoint, exactly");
        byte[] params = Files.readAllBytes(alone.resolve(Dl4jCheckpointChild.PARAMS));
        assertTrue(params.length > 0);
        assertArrayEquals(params, Files.readAllBytes(killed.resolve(Dl4jCheckpointChild.PARAMS)),
                "the final parameters, bit for bit");
        assertTrue(names(checkpointDir).stream().allMatch(n -> n.matches("epoch-\\d+\\.ckpt")),
                "no temporary file of the killed write outlives the resumed run: " + names(checkpointDir));
    }
}

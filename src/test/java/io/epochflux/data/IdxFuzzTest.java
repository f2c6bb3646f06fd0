package io.epochflux.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs {@link IdxFuzz} (10,000 mutated IDX files, fixed seed) in a child JVM with {@code -Xmx1g}:
 * the issue asks that hostile files be refused cleanly in a 1 GB heap, and the build's own test
 * JVM has more. A child also turns a hang into a timeout rather than a stuck build.
 */
class IdxFuzzTest {

    private static final int CASES = 10_000;

    @TempDir
    Path dir;

    @Test
    void tenThousandMutatedFilesGiveOnlyIdxFormatExceptionsInAOneGigabyteHeap() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx1g", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), IdxFuzz.class.getName(),
                Integer.toString(CASES), dir.toString())
                .redirectErrorStream(true)
                .start();
        p.getOutputStream().close();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the fuzzer did not finish within 180 s: a reader hangs, or the machine is very busy");
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // the figures belong in the test's output: case count and time
        System.out.print(output);
        List<String> lines = output.lines().toList();
        assertEquals(0, p.exitValue(), output);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("IDX fuzzer: 10,000 cases") && l.contains(" 0 failures")),
                output);
    }
}

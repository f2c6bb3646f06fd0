package io.epochflux.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The class-data-sharing archive {@code mvn package} writes beside the jar, as the README's launch
 * maps it in: the classes come from it, and the JIT still compiles the training loops.
 */
class ArchiveIT {

    @Test
    void aRunThatMapsTheArchiveLoadsItsClassesFromItAndStillCompilesTheTrainingLoops(@TempDir Path dir) throws Exception {
        Path jar = Processes.jar();
        Path archive = jar.resolveSibling("epochflux.jsa");
        assertTrue(Files.isRegularFile(archive), "mvn package writes " + archive);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:SharedArchiveFile=" + archive, "-Xlog:cds*=off", "-Xlog:class+load=info", "-XX:+PrintCompilation",
                "--add-modules", "jdk.incubator.vector", "-jar", jar.toString(),
                "train", "--epochs", "1000", "--no-early-stopping", "--quiet"));
        Processes.Result r = Processes.run(dir, command, Map.of());
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().lines().anyMatch(l -> l.contains("io.epochflux.nn.internal.HeapKernel source: shared objects file")),
                "the kernel's class came from the archive");
        // a method the dump run had queued for compilation stayed queued forever in Java 17's dynamic
        // archive: the run went on interpreting it (the dump now runs interpreted)
        for (String method : List.of("VectorFloatOps::forward", "VectorFloatOps::accumulateWeightGradient",
                "HeapKernel::output")) {
            // a PrintCompilation line: time, id, attributes (% for on-stack replacement), tier, method
            java.util.regex.Pattern tier4 = java.util.regex.Pattern.compile(
                    "\\s*\\d+\\s+\\d+\\s+[%sbn! ]*4\\s+io\\.epochflux\\.nn\\.internal\\." + method + "\\b.*");
            assertTrue(r.output().lines().anyMatch(l -> tier4.matcher(l).matches()),
                    method + " reached C2 (tier 4) in 1,000 epochs");
        }
    }
}

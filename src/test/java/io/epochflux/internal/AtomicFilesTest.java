package io.epochflux.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void replacesTheWholeFile() throws IOException {
        Path target = dir.resolve("sub/out.txt");
        AtomicFiles.write(target, "first".getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(target, out -> {
            out.write("second".getBytes(StandardCharsets.UTF_8));
            out.close(); // closing early is harmless
        });
        assertEquals("second", Files.readString(target));
    }

    @Test
    void aFailedWriteLeavesTheOldContentAndNoTemporaryFile() throws IOException {
        Path target = dir.resolve("out.txt");
        AtomicFiles.write(target, "old".getBytes(StandardCharsets.UTF_8));
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write("half of the new con".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals("old", Files.readString(target));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "only the target remains");
        }
    }

    @Test
    void aFailedFirstWriteCreatesNothing() {
        Path target = dir.resolve("never.txt");
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(target, out -> {
            throw new IllegalStateException("bug in the writer");
        }));
        assertTrue(Files.notExists(target));
    }

    @Test
    void newFilesGetTheUmasksPermissionsAndReplacedFilesKeepTheirs() throws IOException {
        Path fresh = dir.resolve("fresh.txt");
        AtomicFiles.write(fresh, new byte[] {1});
        Path plain = Files.createFile(dir.resolve("plain.txt"));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(fresh),
                "a new file's mode, not the owner-only mode of a temporary file");
        Files.setPosixFilePermissions(fresh, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        AtomicFiles.write(fresh, new byte[] {2});
        assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)));
    }
}

package io.epochflux.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UsageTest {

    @Test
    void givesTheOperatingSystemsReasonWhereJavaGivesOnlyThePath() {
        // as root (CI containers) permissions cannot be denied for real, so the mapping is tested here
        assertEquals("Permission denied", Usage.reason(new AccessDeniedException("/x")));
        assertEquals("No such file or directory", Usage.reason(new NoSuchFileException("/proc/x")));
        assertEquals("Not a directory", Usage.reason(new FileSystemException("/f/sub", null, "Not a directory")));
        assertEquals("Is a directory", Usage.reason(new IOException("Is a directory")));
    }
}

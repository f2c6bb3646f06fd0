package io.epochflux.internal;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;

/**
 * Writes a file so that readers see either the old content or the whole new content, never a
 * half-written file: the bytes go to a temporary file in the same directory, which is then
 * renamed over the target. A failed write leaves the target as it was.
 */
public final class AtomicFiles {

    /** Writes the content of one file. */
    @FunctionalInterface
    public interface Writer {
        /**
         * Writes the content.
         *
         * @param out the temporary file's stream; closing it is allowed and harmless
         * @throws IOException when writing fails; the target is then left untouched
         */
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Writes {@code target} atomically, creating its parent directories.
     *
     * @param target the file to write
     * @param writer produces the content
     * @throws IOException when writing or renaming fails; the target is then unchanged
     */
    public static void write(Path target, Writer writer) throws IOException {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(writer, "writer");
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        Path tmp = createTemporary(dir, absolute);
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 OutputStream file = Channels.newOutputStream(channel)) {
                OutputStream shielded = new FilterOutputStream(file) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        flush(); // the file itself is closed, synced and renamed below
                    }
                };
                writer.write(shielded);
                shielded.flush();
                channel.force(true);
            }
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * A temporary file beside the target, with the permissions the target has (or, for a new file,
     * those a new file gets from the umask), rather than the owner-only mode of temporary files.
     */
    private static Path createTemporary(Path dir, Path target) throws IOException {
        String prefix = "." + target.getFileName();
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return Files.createTempFile(dir, prefix, ".tmp");
        }
        Path tmp = Files.createTempFile(dir, prefix, ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-rw-rw-")));
        if (Files.exists(target)) {
            Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(target));
        }
        return tmp;
    }

    /**
     * Writes bytes to {@code target} atomically.
     *
     * @param target the file to write
     * @param bytes the whole content
     * @throws IOException when writing fails; the target is then unchanged
     */
    public static void write(Path target, byte[] bytes) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        write(target, out -> out.write(bytes));
    }
}

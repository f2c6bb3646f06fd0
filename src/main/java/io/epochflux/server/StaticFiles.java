package io.epochflux.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The live page's files, read from the classpath once when the server starts, so serving them is
 * a memory copy on the event loop (reading a jar there would block it).
 */
final class StaticFiles {

    static final String UPLOT = "META-INF/resources/webjars/uplot/1.6.30/dist/";

    /** A file's bytes and content type. */
    record File(byte[] bytes, String contentType) {
    }

    private final Map<String, File> files = new LinkedHashMap<>();

    StaticFiles() {
        put("/", "io/epochflux/server/page/index.html", "text/html; charset=utf-8");
        put("/app.js", "io/epochflux/server/page/app.js", "text/javascript; charset=utf-8");
        put("/sweeps.js", "io/epochflux/server/page/sweeps.js", "text/javascript; charset=utf-8");
        put("/app.css", "io/epochflux/server/page/app.css", "text/css; charset=utf-8");
        put("/webjars/uplot/uPlot.iife.min.js", UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8");
        put("/webjars/uplot/uPlot.min.css", UPLOT + "uPlot.min.css", "text/css; charset=utf-8");
    }

    private void put(String path, String resource, String type) {
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the live page's file " + resource + " is missing from the classpath");
            }
            files.put(path, new File(in.readAllBytes(), type));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Optional<File> get(String path) {
        return Optional.ofNullable(files.get(path.equals("/index.html") ? "/" : path));
    }
}

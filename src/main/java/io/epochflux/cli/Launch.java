package io.epochflux.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line the README gives for starting the tool, for benchmarks that time whole processes. */
final class Launch {

    private Launch() {
    }

    /**
     * The launch for a jar: this JVM's {@code java} with the Vector API module and the class-data
     * sharing archive {@code mvn package} writes beside the jar ({@code epochflux.jsa}), when it is there.
     *
     * @param jar the runnable jar
     * @return the command, without the tool's own arguments
     */
    static List<String> command(Path jar) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path archive = archive(jar);
        if (Files.isRegularFile(archive)) {
            command.add("-XX:SharedArchiveFile=" + archive);
            command.add("-Xlog:cds*=off"); // an archive left from another build is skipped without a word
        }
        command.addAll(List.of("--add-modules", "jdk.incubator.vector", "-jar", jar.toString()));
        return command;
    }

    /**
     * @param jar the runnable jar
     * @return where {@code mvn package} writes the jar's class-data-sharing archive
     */
    static Path archive(Path jar) {
        return jar.resolveSibling("epochflux.jsa");
    }

    /**
     * @param jar the runnable jar
     * @return the launch in words, for the bench's header
     */
    static String describe(Path jar) {
        return (Files.isRegularFile(archive(jar)) ? "java -XX:SharedArchiveFile=epochflux.jsa -Xlog:cds*=off" : "java (no epochflux.jsa)")
                + " --add-modules jdk.incubator.vector -jar epochflux.jar";
    }
}

package io.epochflux.deploy;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The artifact as a Maven dependent gets it. The build installs this project's jar and pom (what
 * {@code mvn install} installs) into a repository of its own under {@code target/} before the
 * integration tests; this test writes a tiny project depending on {@code io.epochflux:epochflux},
 * whose main method is the README's library example, and builds it with a child Maven that takes the
 * artifact from that repository and everything else from the build's own local repository (which
 * the build itself has filled), falling back to Maven Central.
 */
class ConsumerIT {

    /** What only the command line, the charts, the Prometheus endpoint or the tool's logging need. */
    private static final List<String> NOT_PASSED_ON = List.of(
            "info.picocli:picocli",
            "org.jfree:jfreechart",
            "org.deeplearning4j:deeplearning4j-nn",
            "io.micrometer:micrometer-registry-prometheus",
            "io.prometheus:prometheus-metrics-exporter-httpserver",
            "org.slf4j:slf4j-simple");

    /** What the library itself uses. */
    private static final List<String> PASSED_ON = List.of(
            "io.epochflux:epochflux:jar:0.1.0-SNAPSHOT",
            "io.projectreactor:reactor-core:jar",
            "org.nd4j:nd4j-api:jar",
            "org.nd4j:nd4j-native:jar:linux-x86_64",
            "org.bytedeco:openblas:jar:linux-x86_64",
            "io.micrometer:micrometer-core:jar",
            "com.fasterxml.jackson.core:jackson-databind:jar");

    @TempDir
    static Path dir;

    private static Path project;
    private static String tree;
    private static List<Path> classpath;

    @BeforeAll
    static void buildTheDependent() throws Exception {
        project = dir.resolve("consumer");
        Built built = build(project, pom(""), "Main.java", main());
        tree = built.tree();
        classpath = built.classpath();
        System.out.println(tree);
    }

    private record Built(String tree, List<Path> classpath) {
    }

    /** Builds a dependent with a child Maven; returns its dependency tree and classpath. */
    private static Built build(Path root, String pom, String mainFile, String mainSource) throws Exception {
        Path sources = root.resolve("src/main/java/example");
        Files.createDirectories(sources);
        Files.writeString(root.resolve("pom.xml"), pom);
        Files.writeString(sources.resolve(mainFile), mainSource);
        Path settings = dir.resolve("settings.xml");
        Files.writeString(settings, settings());

        String plugin = "org.apache.maven.plugins:maven-dependency-plugin:" + property("epochflux.maven-dependency-plugin.version");
        Path treeFile = root.resolve("tree.txt");
        Path classpathFile = root.resolve("classpath.txt");
        List<String> mvn = List.of(Path.of(property("epochflux.maven.home"), "bin", "mvn").toString(), "-B",
                "-s", settings.toString(),
                "-Dmaven.repo.local=" + property("epochflux.consumer.repository"),
                "compile",
                plugin + ":tree", "-DoutputFile=" + treeFile,
                plugin + ":build-classpath", "-Dmdep.outputFile=" + classpathFile);
        Processes.Result build = run(root, mvn, Map.of("JAVA_HOME", System.getProperty("java.home"), "MAVEN_OPTS", "-Xmx512m"));
        assertEquals(0, build.exitCode(), "the dependent builds:\n" + build.output());
        List<Path> entries = new ArrayList<>();
        for (String entry : Files.readString(classpathFile).trim().split(Pattern.quote(File.pathSeparator))) {
            entries.add(Path.of(entry));
        }
        return new Built(Files.readString(treeFile), entries);
    }

    private static List<String> java(Path root, List<Path> entries, String mainClass) {
        return new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Djava.awt.headless=true", "-Xmx1g", "-cp",
                root.resolve("target/classes") + File.pathSeparator
                        + entries.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
                mainClass));
    }

    @Test
    void aDependentThatDeclaresDl4jTrainsTheReadmesConvNet() throws Exception {
        Path root = dir.resolve("dl4j-consumer");
        String dl4j = """
                    <dependency>
                      <groupId>org.deeplearning4j</groupId>
                      <artifactId>deeplearning4j-nn</artifactId>
                      <version>%s</version>
                    </dependency>
                """.formatted(property("epochflux.dl4j.version"));
        Built built = build(root, pom(dl4j), "ConvNet.java", convNet());
        assertTrue(built.tree().contains("org.deeplearning4j:deeplearning4j-nn:jar"), built.tree());
        Processes.Result run = run(root, java(root, built.classpath(), "example.ConvNet"), Map.of("OMP_NUM_THREADS", "1"));
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("EpochMetrics[epoch 1, {loss="), run.output());
        assertTrue(run.output().contains("val_accuracy="), run.output());
    }

    /** The README's DL4J program, as it stands, with fewer epochs, in a package. */
    private static String convNet() throws IOException {
        String readme = Files.readString(Path.of(property("epochflux.basedir"), "README.md"));
        Matcher block = Pattern.compile("```java\n(import .*?)```", Pattern.DOTALL).matcher(readme);
        while (block.find()) {
            if (block.group(1).contains("Dl4jModel.of(net)")) {
                return "package example;\n\n" + block.group(1).replaceFirst("\\.epochs\\(\\d+\\)", ".epochs(2)");
            }
        }
        throw new AssertionError("the README has no DL4J program");
    }

    @Test
    void runsTheReadmeExample() throws Exception {
        Processes.Result run = run(project, java(project, classpath, "example.Main"), Map.of("OMP_NUM_THREADS", "1"));
        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("1 {loss="), run.output());
        assertTrue(run.output().contains("ran all 20 epochs"), run.output());
        assertTrue(run.output().contains("; test Evaluation[loss="), run.output());
    }

    @Test
    void getsOnlyWhatTheLibraryUses() {
        for (String dependency : NOT_PASSED_ON) {
            assertFalse(tree.contains(dependency + ":"), dependency + " is passed on:\n" + tree);
        }
        for (String dependency : PASSED_ON) {
            assertTrue(tree.contains(dependency), dependency + " is not passed on:\n" + tree);
        }
    }

    @Test
    void hasNoClassOnItsClasspathTwice() throws IOException {
        Map<String, List<String>> jarsByClass = new TreeMap<>();
        long bytes = 0;
        for (Path jar : classpath) {
            bytes += Files.size(jar);
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                    String name = e.nextElement().getName();
                    if (name.endsWith(".class") && !name.endsWith("module-info.class")
                            && !name.startsWith("META-INF/versions/")) {
                        jarsByClass.computeIfAbsent(name, k -> new ArrayList<>()).add(jar.getFileName().toString());
                    }
                }
            }
        }
        System.out.printf("dependent's classpath: %d jars, %.1f MB, %d classes%n", classpath.size(), bytes / 1e6,
                jarsByClass.size());
        Map<String, List<String>> twice = new TreeMap<>();
        jarsByClass.forEach((name, jars) -> {
            if (jars.size() > 1) {
                twice.put(name, jars);
            }
        });
        assertTrue(twice.isEmpty(), twice.size() + " classes more than once, for example "
                + twice.entrySet().stream().limit(10).map(Object::toString).collect(Collectors.joining("\n")));
    }

    @Test
    void theLibraryJarHoldsOnlyTheProjectsOwnClassesAndResources() throws IOException {
        Path jar = classpath.stream().filter(p -> p.getFileName().toString().startsWith("epochflux-")).findFirst()
                .orElseThrow(() -> new AssertionError("no epochflux jar on " + classpath));
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            assertEquals("io.epochflux", manifest.getMainAttributes().getValue("Automatic-Module-Name"));
            List<String> foreign = file.stream().map(ZipEntry::getName)
                    .filter(n -> !n.endsWith("/") && !n.startsWith("io/epochflux/") && !n.startsWith("META-INF/"))
                    .collect(Collectors.toList());
            assertEquals(List.of(), foreign, "entries outside io/epochflux");
            assertTrue(file.stream().noneMatch(e -> e.getName().startsWith("META-INF/services/")),
                    "no service registration (a logging binding)");
        }
    }

    private static String pom(String moreDependencies) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>example</groupId>
                  <artifactId>consumer</artifactId>
                  <version>1</version>
                  <properties>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                    <maven.compiler.release>17</maven.compiler.release>
                  </properties>
                  <dependencies>
                    <dependency>
                      <groupId>io.epochflux</groupId>
                      <artifactId>epochflux</artifactId>
                      <version>0.1.0-SNAPSHOT</version>
                    </dependency>
                %s  </dependencies>
                  <build>
                    <plugins>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-resources-plugin</artifactId>
                        <version>%s</version>
                      </plugin>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-compiler-plugin</artifactId>
                        <version>%s</version>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(moreDependencies, property("epochflux.maven-resources-plugin.version"),
                property("epochflux.maven-compiler-plugin.version"));
    }

    /** The README's library example, as it stands, with fewer epochs. */
    private static String main() throws IOException {
        String readme = Files.readString(Path.of(property("epochflux.basedir"), "README.md"));
        Matcher block = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(block.find(), "the README has a Java example");
        String example = block.group(1);
        assertTrue(example.contains("trainer.fit("), "the first Java block is the library example:\n" + example);
        Matcher epochs = Pattern.compile("\\.epochs\\(\\d+\\)").matcher(example);
        assertTrue(epochs.find(), "the README example sets its epochs:\n" + example);
        example = epochs.replaceFirst(".epochs(20)");
        return String.join("\n",
                "package example;",
                "",
                "import io.epochflux.data.*;",
                "import io.epochflux.nn.*;",
                "import io.epochflux.train.*;",
                "import io.epochflux.stop.*;",
                "",
                "public class Main {",
                "    public static void main(String[] args) throws Exception {",
                example,
                "    }",
                "}",
                "");
    }

    /** The build's own local repository first, as a remote, so the child needs no network for what is there. */
    private static String settings() {
        String url = Path.of(property("epochflux.maven.repository")).toUri().toString();
        String repository = """
                    <id>build-local</id>
                    <url>%s</url>
                    <releases><enabled>true</enabled><checksumPolicy>ignore</checksumPolicy></releases>
                    <snapshots><enabled>false</enabled></snapshots>
                """.formatted(url);
        return """
                <settings>
                  <profiles>
                    <profile>
                      <id>build-local</id>
                      <repositories><repository>
                %s      </repository></repositories>
                      <pluginRepositories><pluginRepository>
                %s      </pluginRepository></pluginRepositories>
                    </profile>
                  </profiles>
                  <activeProfiles><activeProfile>build-local</activeProfile></activeProfiles>
                </settings>
                """.formatted(repository, repository);
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            fail("the system property " + name + " is not set: run this test with mvn verify");
        }
        return value;
    }

    private static Processes.Result run(Path root, List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder b = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
        b.environment().putAll(env);
        Path log = Files.createTempFile(dir, "process", ".log");
        b.redirectOutput(log.toFile());
        Process p = b.start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail(command + " did not finish in 180 s:\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Processes.Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}

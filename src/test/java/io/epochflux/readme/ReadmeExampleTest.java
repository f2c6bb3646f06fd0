package io.epochflux.readme;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's Java examples, compiled as they stand; the ten-line example is run too. */
class ReadmeExampleTest {

    private static final String IMPORTS = String.join("\n",
            "import io.epochflux.data.*;",
            "import io.epochflux.nn.*;",
            "import io.epochflux.train.*;",
            "import io.epochflux.stop.*;",
            "import io.epochflux.schedule.*;",
            "import io.epochflux.checkpoint.*;",
            "import io.epochflux.metrics.*;",
            "import io.epochflux.sweep.*;",
            "import io.micrometer.prometheusmetrics.*;",
            "import io.epochflux.runs.*;",
            "import reactor.core.publisher.Flux;",
            "import reactor.core.scheduler.Schedulers;",
            "import reactor.netty.DisposableServer;",
            "import reactor.netty.http.server.HttpServer;",
            "import java.time.Duration;",
            "import java.nio.file.Path;",
            "");

    @TempDir
    Path dir;

    static List<String> javaBlocks() throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("epochflux.basedir", "")).resolve("README.md"));
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        List<String> blocks = new ArrayList<>();
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    /** What the shorter snippets take as given. */
    private static final String SNIPPET_PRELUDE = String.join("\n",
            "Flux<EpochMetrics> flux = Flux.empty();",
            "EarlyStopping earlyStopping = EarlyStopping.builder().build();",
            "Split split = Mnist.sampleSplit(Mnist.bundledSample(), 700, 300, 10);",
            "Sequential model = Sequential.builder(784).dense(10, Activation.SOFTMAX).build();",
            "Trainer trainer = Trainer.builder().build();",
            "");

    private Class<?> compile(String name, String prelude, String body) throws Exception {
        String source = IMPORTS + "public class " + name + " {\n"
                + "    public static void main(String[] args) throws Exception {\n"
                + prelude + body + "\n    }\n}\n";
        return compileUnit(name, source);
    }

    /** Runs a compiled example's main method and returns what it printed. */
    private static String runMain(Class<?> type) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            type.getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    /** A block that starts with its imports is a whole program: compiled as it stands. */
    private static boolean isProgram(String block) {
        return block.startsWith("import ");
    }

    private static String className(String program) {
        Matcher m = Pattern.compile("public class (\\w+)").matcher(program);
        assertTrue(m.find(), "a README program names its public class:\n" + program);
        return m.group(1);
    }

    private Class<?> compileUnit(String name, String source) throws Exception {
        Path file = dir.resolve(name + ".java");
        Files.writeString(file, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int code = javac.run(null, null, errors, "-proc:none", "-d", dir.toString(), "-cp",
                System.getProperty("java.class.path"), file.toString());
        assertEquals(0, code, "README example " + name + " does not compile:\n" + errors + "\n" + source);
        URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
        return loader.loadClass(name);
    }

    @Test
    void theTenLineExampleCompilesAndRuns() throws Exception {
        String example = javaBlocks().get(0);
        assertTrue(example.contains("as(History::collect)"), "the first Java block is the library example");
        long lines = example.lines().filter(l -> !l.isBlank()).count();
        assertTrue(lines <= 12, "about ten lines, but " + lines);
        String out = runMain(compile("TenLines", "", example));
        assertTrue(out.startsWith("1 {loss="), out.substring(0, Math.min(200, out.length())));
        assertTrue(out.contains("val_loss did not improve for 30 epochs (patience 30)"), out);
        assertTrue(out.contains("restored the weights of epoch"), out);
        assertTrue(out.contains("; test Evaluation[loss="), out);
    }

    @Test
    void everyOtherJavaExampleCompiles() throws Exception {
        List<String> blocks = javaBlocks();
        assertTrue(blocks.size() >= 4, "the README's examples: " + blocks.size());
        for (int i = 1; i < blocks.size(); i++) {
            String block = blocks.get(i);
            if (isProgram(block)) {
                compileUnit(className(block), block);
            } else {
                compile("Snippet" + i, SNIPPET_PRELUDE, block);
            }
        }
    }

    @Test
    void theConvNetProgramTrainsADl4jNetworkAsAStream() throws Exception {
        String program = javaBlocks().stream().filter(b -> isProgram(b) && b.contains("Dl4jModel.of(net)")).findFirst()
                .orElseThrow(() -> new AssertionError("the README's Bring your own model program"));
        String out = runMain(compileUnit(className(program), program));
        assertTrue(out.startsWith("EpochMetrics[epoch 1, {loss="), out.substring(0, Math.min(300, out.length())));
        assertTrue(out.contains("val_accuracy="), out);
        assertTrue(out.lines().reduce((a, b) -> b).orElse("").matches(".*(patience 1|ran all 8 epochs).*"), out);
    }
}

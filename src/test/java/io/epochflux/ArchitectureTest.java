package io.epochflux;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The package table of DESIGN.md as rules: which epochflux packages each package may import, that
 * {@code data} and {@code nn} know nothing of Reactor, {@code train} nothing of Micrometer or of
 * {@code stop}, that an {@code x.internal} package is used by {@code x} alone, and that the
 * epochflux packages form no cycle. There is no {@code module-info.java}: ND4J's jars carry broken
 * module descriptors, so this test holds the line instead.
 */
class ArchitectureTest {

    private static final String ROOT = "io.epochflux";

    /**
     * What each package may use of epochflux, besides itself, its own {@code .internal} package and
     * the top-level {@code io.epochflux.internal} (shared helpers: atomic files, dataset arrays,
     * shuffles, formats).
     */
    private static final Map<String, List<String>> MAY_USE = new LinkedHashMap<>();

    static {
        MAY_USE.put("data", List.of());
        MAY_USE.put("nn", List.of("data"));
        MAY_USE.put("dl4j", List.of("data", "nn"));
        MAY_USE.put("train", List.of("data", "nn"));
        MAY_USE.put("stop", List.of("train"));
        MAY_USE.put("metrics", List.of("train", "stop"));
        MAY_USE.put("report", List.of("train"));
        // schedule uses stop's Mode, MissingMetric and RuleState until they move to a home both share (issue 21)
        MAY_USE.put("schedule", List.of("train", "stop"));
        MAY_USE.put("runs", List.of("train", "stop", "metrics"));
        MAY_USE.put("checkpoint", List.of("data", "nn", "train", "stop"));
        MAY_USE.put("sweep", List.of("data", "nn", "train", "stop", "schedule", "runs"));
        MAY_USE.put("server", List.of("data", "nn", "train", "stop", "schedule", "metrics", "report", "runs", "checkpoint",
                "sweep"));
    }

    private static JavaClasses classes;

    @BeforeAll
    static void importTheMainClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);
    }

    @Test
    void everyPackageUsesOnlyThePackagesTheDesignAllowsIt() {
        List<String> all = new ArrayList<>(MAY_USE.keySet());
        all.add("cli");
        for (Map.Entry<String, List<String>> e : MAY_USE.entrySet()) {
            List<String> forbidden = new ArrayList<>();
            for (String other : all) {
                if (!other.equals(e.getKey()) && !e.getValue().contains(other)) {
                    forbidden.add(ROOT + "." + other + "..");
                }
            }
            ArchRule rule = noClasses().that().resideInAPackage(ROOT + "." + e.getKey() + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(forbidden.toArray(String[]::new))
                    .because("DESIGN.md lets " + e.getKey() + " use only " + e.getValue());
            rule.check(classes);
        }
    }

    @Test
    void dataAndNnKnowNothingOfReactorAndTrainNothingOfMicrometer() {
        noClasses().that().resideInAnyPackage(ROOT + ".data..", ROOT + ".nn..", ROOT + ".dl4j..")
                .should().dependOnClassesThat().resideInAnyPackage("reactor..", "org.reactivestreams..", "io.micrometer..")
                .because("the data and the models are below the stream").check(classes);
        noClasses().that().resideInAPackage(ROOT + ".train..")
                .should().dependOnClassesThat().resideInAnyPackage("io.micrometer..")
                .because("meters bind to the stream from io.epochflux.metrics").check(classes);
    }

    @Test
    void onlyTheDl4jPackageAndTheCommandLineTouchDl4j() {
        // DL4J is an optional dependency: a dense model never loads one of its classes
        noClasses().that().resideOutsideOfPackages(ROOT + ".dl4j..", ROOT + ".cli..")
                .should().dependOnClassesThat().resideInAnyPackage("org.deeplearning4j..")
                .check(classes);
    }

    @Test
    void anInternalPackageIsUsedByItsOwnPackageAlone() {
        for (String owner : List.of("nn", "dl4j", "train")) {
            ArchRule rule = noClasses().that().resideOutsideOfPackages(ROOT + "." + owner + "..")
                    // the command line's bench and model options reach the kernel's layout and budget (issue 21)
                    .and().resideOutsideOfPackage(owner.equals("nn") ? ROOT + ".cli" : ROOT + "." + owner)
                    .should().dependOnClassesThat().resideInAPackage(ROOT + "." + owner + ".internal..")
                    .because(owner + ".internal is " + owner + "'s implementation, not API");
            rule.check(classes);
        }
    }

    @Test
    void theEpochfluxPackagesFormNoCycle() {
        // a package and its own internal package count as one: nn.internal implements nn's types. The one
        // cycle left is DatasetArrays, the kernels' in-place view of a Dataset, which data installs (issue 21)
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles()
                .ignoreDependency(JavaClass.Predicates.belongToAnyOf(io.epochflux.internal.DatasetArrays.class),
                        DescribedPredicate.alwaysTrue())
                .ignoreDependency(JavaClass.Predicates.resideInAPackage(ROOT + ".data"),
                        JavaClass.Predicates.belongToAnyOf(io.epochflux.internal.DatasetArrays.class))
                .check(classes);
    }
}

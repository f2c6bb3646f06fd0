package io.epochflux.train;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Where a run ran: the versions of epochflux, ND4J and Java, the operating system and processor
 * count, for a run's report.
 *
 * @param epochflux this library's version
 * @param nd4j ND4J's version
 * @param java the Java runtime's version and vendor
 * @param os the operating system's name, version and architecture
 * @param processors the processors available to the JVM
 */
public record Provenance(String epochflux, String nd4j, String java, String os, int processors) {

    /**
     * Reads the provenance of this JVM.
     *
     * @return the current provenance
     */
    public static Provenance current() {
        String version = Provenance.class.getPackage().getImplementationVersion();
        return new Provenance(version == null ? mavenVersion("io.epochflux", "epochflux") : version,
                mavenVersion("org.nd4j", "nd4j-api"),
                Runtime.version() + " (" + System.getProperty("java.vendor") + ")",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors());
    }

    private static String mavenVersion(String group, String artifact) {
        String resource = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (InputStream in = Provenance.class.getResourceAsStream(resource)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** @return the fields as a map, for reports */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochflux", epochflux);
        m.put("nd4j", nd4j);
        m.put("java", java);
        m.put("os", os);
        m.put("processors", processors);
        return m;
    }
}

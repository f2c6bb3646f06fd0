package io.epochflux.deploy;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the integration tests that build a dependent with a child Maven share ({@link ConsumerIT},
 * {@link SpringBootIT}): the settings that put the build's own local repository first, and the
 * system properties the failsafe plugin passes.
 */
final class ChildMaven {

    private ChildMaven() {
    }

    /** The build's own local repository first, as a remote, so the child needs no network for what is there. */
    static String settings() {
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

    /** A system property the failsafe plugin sets; fails the test when it is not set. */
    static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isBlank()) {
            fail("the system property " + name + " is not set: run this test with mvn verify");
        }
        return value;
    }
}

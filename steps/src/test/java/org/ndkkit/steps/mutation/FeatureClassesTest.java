package org.ndkkit.steps.mutation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.platform.suite.api.SelectClasspathResource;

/**
 * Every feature of the spec has its suite for PIT, named after it, selecting exactly that file.
 * (Not named *Suite*: surefire excludes those.)
 */
class FeatureClassesTest {
    private static final String DIR = "ndk/features/";

    /** {@code private-data} is {@code PrivateDataFeature}: what {@code ./ndk pit --features} relies on. */
    static String suiteClassName(String feature) {
        StringBuilder name = new StringBuilder(FeatureSuite.class.getPackageName()).append('.');
        for (String part : feature.split("-")) {
            name.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return name.append("Feature").toString();
    }

    @Test
    void everyFeatureHasItsSuite() throws Exception {
        List<String> features = features();
        assertThat(features).contains("private-data", "states");
        for (String feature : features) {
            Class<?> suite = Class.forName(suiteClassName(feature));
            assertThat(FeatureSuite.class).as(feature).isAssignableFrom(suite);
            assertThat(suite.getAnnotationsByType(SelectClasspathResource.class))
                    .as(feature).extracting(SelectClasspathResource::value).containsExactly(DIR + feature + ".feature");
        }
    }

    /** The feature files on the class path (features/target/classes or the ndk-features jar). */
    private static List<String> features() throws IOException, URISyntaxException {
        URI uri = FeatureClassesTest.class.getClassLoader().getResource(DIR + "clauses.yaml").toURI();
        if (uri.getScheme().equals("jar")) {
            try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of())) {
                return names(jar.getPath("/" + DIR));
            }
        }
        return names(Path.of(uri).getParent());
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".feature"))
                    .map(n -> n.substring(0, n.length() - ".feature".length())).sorted().toList();
        }
    }
}

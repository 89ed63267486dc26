package org.ndkkit.defects;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The kill matrix through the wire: the defective provider behind an ndk-agent on loopback, the
 * suite on the {@code remote} provider. Every seeded defect must still fire and be caught, each
 * with the status it has in-process: a defect the wire hides is a protocol bug.
 */
class KillMatrixWireIT {

    @Test
    void everySeededDefectIsCaughtThroughTheWire() throws Exception {
        String only = System.getProperty("ndk.matrix.defects", "");
        Path out = Path.of(System.getProperty("ndk.matrix.out", "target/kill-matrix") + "-wire");
        KillMatrix.Result r = KillMatrix.run(out, System.getProperty("ndk.matrix.inner", "simulated"),
                only.isBlank() ? Defects.all() : Defects.byIds(only), true, true, true);
        assertThat(r.inner().through()).startsWith("ndk.wire.v1");
        assertThat(r.controlPassed()).as("the control run through the wire passes with 0 firings: %s", r.control()).isTrue();
        assertThat(r.notTriggered()).as("defects that never altered a call through the wire; " + r.line()).isEmpty();
        assertThat(r.survived()).as("defects the wire hides; " + r.line()).isEmpty();
        assertThat(r.ok()).as(r.line()).isTrue();

        // Same status per defect as the in-process matrix of this build, when it ran first.
        Path inProcess = Path.of(System.getProperty("ndk.matrix.out", "target/kill-matrix"), "kill-matrix.json");
        if (Files.isRegularFile(inProcess)) {
            assertThat(statuses(out.resolve("kill-matrix.json"))).as("per-defect status through the wire vs in-process")
                    .isEqualTo(statuses(inProcess));
        }
    }

    private static Map<String, String> statuses(Path kmJson) throws Exception {
        JsonNode root = new ObjectMapper().readTree(kmJson.toFile());
        Map<String, String> m = new TreeMap<>();
        root.path("defects").forEach(row -> m.put(row.path("id").asText(), row.path("status").asText()));
        return m;
    }
}

package org.ndkkit.defects;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The kill matrix as part of the build: every seeded defect must be caught, the control must pass. */
class KillMatrixIT {

    @Test
    void everySeededDefectIsCaught() throws Exception {
        String only = System.getProperty("ndk.matrix.defects", "");
        KillMatrix.Result r = KillMatrix.run(Path.of(System.getProperty("ndk.matrix.out", "target/kill-matrix")),
                System.getProperty("ndk.matrix.inner", "simulated"),
                only.isBlank() ? Defects.all() : java.util.Arrays.stream(only.split(",")).map(Defects::byId).toList(), true);
        assertThat(r.controlPassed()).as("the control run (decorators, no defect) passes: %s", r.control()).isTrue();
        assertThat(r.rows().stream().filter(row -> !row.caught()).map(KillMatrix.Row::defect).toList())
                .as("surviving defects; " + r.line()).isEmpty();
        if (only.isBlank()) {
            assertThat(r.rows()).as("the catalogue holds at least 30 defects").hasSizeGreaterThanOrEqualTo(30);
        }
    }
}

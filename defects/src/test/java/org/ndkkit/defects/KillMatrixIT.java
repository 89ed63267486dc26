package org.ndkkit.defects;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The kill matrix as part of the build: on the simulated provider every seeded defect must fire
 * and be caught, and the control must pass with no firing.
 */
class KillMatrixIT {

    @Test
    void everySeededDefectFiresAndIsCaught() throws Exception {
        String only = System.getProperty("ndk.matrix.defects", "");
        KillMatrix.Result r = KillMatrix.run(Path.of(System.getProperty("ndk.matrix.out", "target/kill-matrix")),
                System.getProperty("ndk.matrix.inner", "simulated"),
                only.isBlank() ? Defects.all() : Defects.byIds(only), true, true);
        assertThat(r.controlPassed()).as("the control run (decorators, no defect) passes with 0 firings: %s", r.control()).isTrue();
        assertThat(r.notTriggered()).as("defects that never altered a call; " + r.line()).isEmpty();
        assertThat(r.survived()).as("surviving defects; " + r.line()).isEmpty();
        assertThat(r.ok()).as(r.line()).isTrue();
        if (only.isBlank()) {
            assertThat(r.rows()).as("the catalogue holds at least 30 defects").hasSizeGreaterThanOrEqualTo(30);
        }
    }
}

package org.ndkkit.defects;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.ndkkit.spi.Providers;

class DefectsTest {

    @Test
    void everyDefectNamesKnownClausesAndIdsAreUnique() throws Exception {
        JsonNode clauses;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("ndk/features/clauses.yaml")) {
            clauses = new ObjectMapper(new YAMLFactory()).readTree(in).path("clauses");
        }
        Set<String> ids = new HashSet<>();
        List<Defect> all = Defects.all();
        assertThat(all).hasSizeGreaterThanOrEqualTo(30);
        for (Defect d : all) {
            assertThat(ids.add(d.id())).as("unique id %s", d.id()).isTrue();
            assertThat(d.clauses()).as(d.id()).isNotEmpty();
            for (String c : d.clauses()) {
                assertThat(clauses.has(c)).as("%s names clause %s", d.id(), c).isTrue();
            }
        }
    }

    @Test
    void theDefectiveProviderIsFoundByName() {
        assertThat(Providers.byName("defective").identity().name()).isEqualTo("defective");
    }

    @Test
    void namedClausesAreReadFromTheStartOfEachLine() {
        assertThat(KillMatrix.namedClauses("[LIM-ZERO, CSE-SUCCESS] x\n[ASYNC-CONTEXT-RETURNED] y\nCall sequence:\n[CSE-PENDING] z"))
                .containsExactly("LIM-ZERO", "CSE-SUCCESS", "ASYNC-CONTEXT-RETURNED");
        assertThat(KillMatrix.namedClauses("timeout: [ASYNC-NO-BLOCKING] call did not return")).containsExactly("ASYNC-NO-BLOCKING");
        assertThat(KillMatrix.namedClauses("no clause here")).isEmpty();
    }
}

package org.ndkkit.defects;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ndkkit.spi.Created;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkAdapter;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.Providers;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.TestbedOptions;

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

    /** Driven directly over the simulated provider: only the call the defect alters counts. */
    @Test
    void aDefectCountsTheCallsItAltersAndNotThoseItPassesThrough() throws Exception {
        try (Wrappers.WTestbed tb = (Wrappers.WTestbed) Providers.byName("defective").openTestbed(new TestbedOptions(
                Duration.ofMillis(300), Map.of("defect", "port-zero-not-ephemeral", "completion-path", "inline")))) {
            NdkAdapter adapter = tb.adapter(Host.LOCAL);
            SockAddr local = SockAddr.of(tb.addresses(Host.LOCAL).get(0), 50123);
            Created<NdkSharedEndpoint> given = adapter.createSharedEndpoint(local, (x, s, o) -> { }, null);
            assertThat(given.status()).isEqualTo(NtStatus.SUCCESS);
            assertThat(tb.defect().firings()).as("an explicit port passes through").isZero();

            Created<NdkSharedEndpoint> ephemeral = adapter.createSharedEndpoint(local.withPort(0), (x, s, o) -> { }, null);
            assertThat(ephemeral.status()).isEqualTo(NtStatus.SUCCESS);
            assertThat(tb.defect().firings()).as("port 0 is replaced by a low port").isEqualTo(1);
            assertThat(Defects.address(ephemeral.object()::getLocalAddress).port()).isEqualTo(40000);
        }
    }

    @Test
    void theControlNeverFires() {
        assertThat(Defects.byId("none").firings()).isZero();
    }
}

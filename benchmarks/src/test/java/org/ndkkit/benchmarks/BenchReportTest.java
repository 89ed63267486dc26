package org.ndkkit.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BenchReport over an out dir laid out as bench-in-guest.sh leaves it. */
class BenchReportTest {
    @TempDir
    Path dir;

    private void cmtimeRound(int n, int k, String fixture, String rc) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/cmtime/" + fixture)) {
            Files.write(dir.resolve("cmtime-n" + n + "-r" + k + ".txt"), in.readAllBytes());
        }
        Files.writeString(dir.resolve("cmtime-n" + n + "-r" + k + ".rc"), rc + "\n");
        Files.writeString(dir.resolve("cmtime-n" + n + "-r" + k + ".client-time"), "0.11 0.31 0.45\n");
        Files.writeString(dir.resolve("cmtime-n" + n + "-r" + k + ".server-time"),
                "Command terminated by signal 15\n0.07 0.19 1.48\n");
    }

    private void reference(int n, String error, long... setupNanos) throws IOException {
        reference(n, error, null, setupNanos);
    }

    private void reference(int n, String error, String localEndpoint, long... setupNanos) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        if (localEndpoint != null) {
            m.put("localEndpoint", localEndpoint);
        }
        m.put("n", n);
        m.put("ok", error == null);
        m.put("error", error);
        List<Object> runs = new java.util.ArrayList<>();
        for (long s : setupNanos) {
            long[] lat = new long[n];
            java.util.Arrays.fill(lat, s / 2);
            runs.add(new RoundResult(n, null, s, Map.of("connect", lat), Map.of("connect", s),
                    Map.of("process:setup", 2 * s)).toJson());
        }
        m.put("runs", runs);
        new ObjectMapper().writeValue(ConnectBench.resultFile(dir, "reference", n).toFile(), m);
    }

    @Test
    void ratesAreMediansOfRoundsAndTheRatioIsTheirQuotient() throws IOException {
        // cmtime fixture c100: setup window 441.75 ms -> 226.37 conn/s, in both rounds
        cmtimeRound(100, 1, "cmtime-44-c100.txt", "0");
        cmtimeRound(100, 2, "cmtime-44-c100.txt", "0");
        // three rounds of 100 in 0.5 s, 0.4 s and 1.0 s: 200, 250, 100 conn/s -> median 200
        reference(100, null, 500_000_000L, 400_000_000L, 1_000_000_000L);
        BenchReport.Row row = BenchReport.load(dir, "reference", 100);
        assertThat(row.referenceRate()).isCloseTo(200.0, within(1e-9));
        assertThat(row.cmtimeRate()).isCloseTo(100 * 1000 / 441.75, within(1e-9));
        assertThat(row.ratio()).isCloseTo(200.0 / (100 * 1000 / 441.75), within(1e-9));
        // pairs: round 1 200/226.37, round 2 250/226.37 (round 3 has no cmtime round)
        assertThat(row.pairedRatios()).hasSize(2);
        assertThat(row.pairedRatios().get(1)).isCloseTo(250 / (100 * 1000 / 441.75), within(1e-9));
        assertThat(BenchReport.rateLine(row, "reference"))
                .isEqualTo("connect-rate N=100 reference=200.0/s cmtime=226.4/s ratio=0.88");
        // setup per connection: median of 5, 4, 10 ms; CPU: the JVM's 2x the window; cmtime's 0.68 s / 100
        assertThat(row.referenceSetupPerConnMs()).isCloseTo(5.0, within(1e-9));
        assertThat(row.referenceCpuPerConnMs()).isCloseTo(10.0, within(1e-9));
        assertThat(row.cmtimeCpuPerConnMs()).isCloseTo(6.8, within(1e-9));
        assertThat(row.pooled("connect")).hasSize(300);
    }

    @Test
    void aRunWithoutTheSharedEndpointSaysSo() throws IOException {
        cmtimeRound(100, 1, "cmtime-44-c100.txt", "0");
        reference(100, null, 500_000_000L);
        BenchReport.Row shared = BenchReport.load(dir, "reference", 100);
        assertThat(shared.localEndpoint()).isEqualTo("shared");
        assertThat(BenchReport.render(List.of(shared), "reference")).doesNotContain("Local address:");
        reference(100, null, "dedicated", 500_000_000L);
        BenchReport.Row dedicated = BenchReport.load(dir, "reference", 100);
        assertThat(dedicated.localEndpoint()).isEqualTo("dedicated");
        assertThat(BenchReport.render(List.of(dedicated), "reference"))
                .contains("Local address: NdkConnect from port 0, a port of its own per connection");
    }

    @Test
    void thePassiveSideAloneIsCmtimesClientAgainstTheAcceptorOverAgainstCmtimesServer() throws IOException {
        cmtimeRound(100, 1, "cmtime-44-c100.txt", "0");
        cmtimeRound(100, 2, "cmtime-44-c100.txt", "0");
        reference(100, null, 500_000_000L, 500_000_000L);
        BenchReport.Row none = BenchReport.load(dir, "reference", 100);
        assertThat(none.passiveSide()).isFalse();
        assertThat(none.toAcceptor().failures()).isEmpty();
        assertThat(BenchReport.render(List.of(none), "reference")).doesNotContain("passive side alone");
        // round 1 against the acceptor: the fixture with its connect total doubled (441.75 -> 870.16 ms);
        // round 2 failed
        String fixture;
        try (InputStream in = getClass().getResourceAsStream("/cmtime/cmtime-44-c100.txt")) {
            fixture = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Files.writeString(dir.resolve("cmtime-acceptor-n100-r1.txt"), fixture.replace("428.41", "856.82"));
        Files.writeString(dir.resolve("cmtime-acceptor-n100-r1.rc"), "0\n");
        Files.writeString(dir.resolve("cmtime-acceptor-n100-r2.txt"), "cmtime client killed after 70 s\n");
        Files.writeString(dir.resolve("cmtime-acceptor-n100-r2.rc"), "137\n");
        BenchReport.Row row = BenchReport.load(dir, "reference", 100);
        assertThat(row.passiveSide()).isTrue();
        assertThat(row.passivePairedRatios()).hasSize(1);
        assertThat(row.passivePairedRatios().get(0)).isCloseTo(441.75 / 870.16, within(1e-9));
        assertThat(row.toAcceptor().failures()).hasSize(1).first().asString().startsWith("round 2: exit 137");
        String text = BenchReport.render(List.of(row), "reference");
        assertThat(text).contains("cmtime to the acceptor N=100 FAILED round 2: exit 137")
                .contains("passive-side N=100 reference 114.9 (114.9), cmtime 226.4 (226.4 226.4), paired ratios 0.51"
                        + " (median 0.51)");
        assertThat(BenchReport.markdown(List.of(row), "reference")).contains("## The passive side alone");
        @SuppressWarnings("unchecked")
        Map<String, Object> passive = (Map<String, Object>) ((List<Map<String, Object>>) BenchReport
                .json(List.of(row), "reference").get("rows")).get(0).get("passiveSide");
        assertThat((Double) passive.get("pairedRatioMedian")).isCloseTo(441.75 / 870.16, within(1e-9));
    }

    @Test
    void aFailedCmtimeRoundIsLeftOutAndNamed() throws IOException {
        cmtimeRound(3, 1, "cmtime-44-c3-no-listener.txt", "0");
        cmtimeRound(3, 2, "cmtime-44-c100.txt", "137");
        reference(3, null, 30_000_000L);
        BenchReport.Row row = BenchReport.load(dir, "reference", 3);
        assertThat(row.cmtime().ok()).isEmpty();
        assertThat(row.cmtime().failures()).containsExactly(
                "round 1: event: RDMA_CM_EVENT_REJECTED, error: 8 (and 2 more)", "round 2: exit 137");
        assertThat(BenchReport.rateLine(row, "reference"))
                .isEqualTo("connect-rate N=3 reference=100.0/s cmtime=failed ratio=n/a");
    }

    @Test
    void aFailedReferenceNIsReportedFailed() throws IOException {
        cmtimeRound(10, 1, "cmtime-44-c100.txt", "0");
        reference(10, "round 2: connect #3 -> STATUS_IO_TIMEOUT", 50_000_000L);
        BenchReport.Row row = BenchReport.load(dir, "reference", 10);
        assertThat(row.referenceError()).contains("STATUS_IO_TIMEOUT");
        assertThat(BenchReport.rateLine(row, "reference")).startsWith("connect-rate N=10 reference=failed cmtime=");
        // no result file at all: ConnectBench never got to this N
        Files.writeString(dir.resolve("reference-n1000.rc"), "ConnectBench exit 137 twice without a result for N=1000");
        BenchReport.Row missing = BenchReport.load(dir, "reference", 1000);
        assertThat(missing.referenceError()).startsWith("no result: ConnectBench exit 137");
        assertThat(missing.cmtime().failures()).containsExactly("no cmtime output");
        String text = BenchReport.render(List.of(row, missing), "reference");
        assertThat(text).contains("connect-rate N=1000 reference=failed cmtime=failed ratio=n/a")
                .contains("reference N=10 FAILED: round 2");
    }

    @Test
    void growthComparesTheTimePerConnectionWithThePreviousN() {
        assertThat(BenchReport.growth(10.0, 5.0)).isEqualTo("0.50x per conn, sub-linear");
        assertThat(BenchReport.growth(5.0, 5.5)).isEqualTo("1.10x per conn, ~linear");
        assertThat(BenchReport.growth(5.0, 8.0)).isEqualTo("1.60x per conn, SUPER-linear");
        assertThat(BenchReport.growth(Double.NaN, 8.0)).isEmpty();
    }
}

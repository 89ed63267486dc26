package org.ndkkit.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The parser against cmtime outputs captured in the SoftRoCE lab (rdmacm-utils 44.0). */
class CmtimeOutputTest {

    private static String fixture(String name) throws IOException {
        try (InputStream in = CmtimeOutputTest.class.getResourceAsStream("/cmtime/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsEveryStepOfARealRunOf100Connections() throws IOException {
        CmtimeOutput o = CmtimeOutput.parse(fixture("cmtime-44-c100.txt"));
        assertThat(o.steps()).containsOnlyKeys("create id", "bind addr", "resolve addr", "resolve route", "create qp",
                "connect", "disconnect", "destroy");
        assertThat(o.errors()).isEmpty();
        // "connect      :      428.41     412.87  148101.00    4284.09"
        CmtimeOutput.Step c = o.step("connect");
        assertThat(c.totalMs()).isEqualTo(428.41);
        assertThat(c.maxMs()).isEqualTo(412.87);
        assertThat(c.minUs()).isEqualTo(148101.00);
        assertThat(c.usPerConn()).isEqualTo(4284.09);
        assertThat(c.noSample()).isFalse();
        assertThat(o.step("create id").totalMs()).isEqualTo(1.79);
        assertThat(o.step("destroy").usPerConn()).isEqualTo(18.06);
    }

    @Test
    void theSetupWindowIsBindResolveAddrResolveRouteAndConnect() throws IOException {
        CmtimeOutput o = CmtimeOutput.parse(fixture("cmtime-44-c100.txt"));
        // bind 5.53 + resolve addr 4.09 + resolve route 3.72 + connect 428.41
        assertThat(o.setupMs()).isCloseTo(441.75, within(1e-9));
        assertThat(o.setupRate(100)).isCloseTo(100 * 1000.0 / 441.75, within(1e-9));
        assertThat(o.totalMs(java.util.List.of("create id", "create qp"))).isCloseTo(25.34, within(1e-9));
    }

    @Test
    void readsARunOfOneConnection() throws IOException {
        CmtimeOutput o = CmtimeOutput.parse(fixture("cmtime-44-c1.txt"));
        assertThat(o.errors()).isEmpty();
        assertThat(o.setupMs()).isCloseTo(3.49 + 4.58 + 3.89 + 22.83, within(1e-9));
        assertThat(o.setupRate(1)).isCloseTo(1000.0 / 34.79, within(1e-9));
    }

    @Test
    void rejectedConnectionsAreErrorsEvenThoughCmtimeExitsWith0() throws IOException {
        // No server listening: three "event: RDMA_CM_EVENT_REJECTED, error: 8", exit status 0.
        CmtimeOutput o = CmtimeOutput.parse(fixture("cmtime-44-c3-no-listener.txt"));
        assertThat(o.errors()).containsExactly("event: RDMA_CM_EVENT_REJECTED, error: 8",
                "event: RDMA_CM_EVENT_REJECTED, error: 8", "event: RDMA_CM_EVENT_REJECTED, error: 8");
        // "disconnect   :        0.04       0.001000000000.00      12.33": no connection got that far, so
        // the min stayed at its 999999999 start (printed as 1000000000.00), touching the max column.
        CmtimeOutput.Step d = o.step("disconnect");
        assertThat(d.totalMs()).isEqualTo(0.04);
        assertThat(d.maxMs()).isEqualTo(0.00);
        assertThat(d.minUs()).isEqualTo(1_000_000_000.00);
        assertThat(d.usPerConn()).isEqualTo(12.33);
        assertThat(d.noSample()).isTrue();
    }

    @Test
    void withoutTheTableItIsAnError() {
        assertThatThrownBy(() -> CmtimeOutput.parse("creating id\nbinding source address\nresolving address\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no cmtime step table");
    }

    @Test
    void aMalformedRowIsAnError() {
        String text = CmtimeOutput.HEADER + "\nconnect      :      428.41     412.87  148101.00\n";
        assertThatThrownBy(() -> CmtimeOutput.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4 numbers");
        String garbage = CmtimeOutput.HEADER + "\nconnect      :      428.41 x   412.87  148101.00    4284.09\n";
        assertThatThrownBy(() -> CmtimeOutput.parse(garbage)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMissingStepIsNamed() throws IOException {
        // Without -b cmtime prints no "bind addr" row, so there is no setup window to compare.
        String text = fixture("cmtime-44-c100.txt").replaceAll("(?m)^bind addr.*\\R", "");
        CmtimeOutput o = CmtimeOutput.parse(text);
        assertThatThrownBy(o::setupMs).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bind addr");
    }
}

package org.ndkkit.simulated;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ndkkit.spi.TestbedOptions;

/** The testbed's randomness: the same seed gives the same ports and schedule, another seed others. */
class SeedTest {

    /** The ports of {@code n} port-0 shared endpoints and listeners, in the order they were made. */
    private static List<Integer> ports(String seed, int n) {
        List<Integer> out = new ArrayList<>();
        try (Lab lab = Lab.open(Map.of("completion-path", "pending", "seed", seed, "ephemeral-ports", "random"))) {
            for (int i = 0; i < n; i++) {
                out.add(Lab.localAddressOf(lab.sharedEndpoint(lab.local, Lab.v4("198.18.0.1", 0))).port());
                out.add(lab.listen(lab.peer, Lab.v4("198.18.1.1", 0)).address.port());
            }
        }
        return out;
    }

    @Test
    void theSameSeedChoosesTheSameEphemeralPorts() {
        List<Integer> a = ports("42", 6);
        assertThat(ports("42", 6)).isEqualTo(a);
        assertThat(a).allSatisfy(p -> assertThat(p).isBetween(EndpointTable.FIRST_EPHEMERAL, EndpointTable.LAST_EPHEMERAL));
        assertThat(a).doesNotHaveDuplicates();
    }

    @Test
    void anotherSeedChoosesOtherPorts() {
        assertThat(ports("0x2a", 6)).isEqualTo(ports("42", 6));
        assertThat(ports("43", 6)).isNotEqualTo(ports("42", 6));
    }

    @Test
    void theSameSeedGivesTheSameCallbackSchedule() {
        SimRandom a = new SimRandom(7, SimRandom.PortChoice.RANDOM, 300);
        SimRandom b = new SimRandom(7, SimRandom.PortChoice.RANDOM, 300);
        SimRandom c = new SimRandom(8, SimRandom.PortChoice.RANDOM, 300);
        List<Long> da = new ArrayList<>();
        List<Long> db = new ArrayList<>();
        List<Long> dc = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            da.add(a.callbackDelayNanos());
            db.add(b.callbackDelayNanos());
            dc.add(c.callbackDelayNanos());
        }
        assertThat(da).isEqualTo(db).isNotEqualTo(dc);
        assertThat(da).allSatisfy(d -> assertThat(d).isBetween(0L, 300_000L));
        assertThat(da).contains(0L).anySatisfy(d -> assertThat(d).isPositive());
    }

    @Test
    void noJitterMeansNoDelay() {
        SimRandom r = new SimRandom(7, SimRandom.PortChoice.LOWEST, 0);
        for (int i = 0; i < 16; i++) {
            assertThat(r.callbackDelayNanos()).isZero();
        }
        assertThat(r.ephemeralStart(49152, 65535)).isEqualTo(49152);
    }

    @Test
    void badSettingsAreRefused() {
        SimulatedProvider p = new SimulatedProvider();
        assertThatThrownBy(() -> p.openTestbed(new TestbedOptions(Duration.ofSeconds(1), Map.of("seed", "x"))))
                .hasMessageContaining("seed");
        assertThatThrownBy(() -> p.openTestbed(new TestbedOptions(Duration.ofSeconds(1), Map.of("ephemeral-ports", "high"))))
                .hasMessageContaining("ephemeral-ports");
        assertThatThrownBy(() -> p.openTestbed(new TestbedOptions(Duration.ofSeconds(1), Map.of("completion-jitter-us", "-1"))))
                .hasMessageContaining("completion-jitter-us");
    }
}

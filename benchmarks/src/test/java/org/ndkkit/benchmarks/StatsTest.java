package org.ndkkit.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void medianOfAnOddAndAnEvenSample() {
        assertThat(Stats.median(new long[] {5, 1, 3})).isEqualTo(3.0);
        assertThat(Stats.median(new long[] {4, 1, 3, 2})).isEqualTo(2.5);
        assertThat(Stats.median(new long[] {7})).isEqualTo(7.0);
        assertThat(Stats.median(new long[0])).isNaN();
        assertThat(Stats.median(List.of(3.0, 1.0, 2.0, 10.0))).isEqualTo(2.5);
        assertThat(Stats.median(List.of(Double.NaN, 4.0))).isEqualTo(4.0);
    }

    @Test
    void medianDoesNotReorderTheCallersArray() {
        long[] v = {3, 1, 2};
        Stats.median(v);
        assertThat(v).containsExactly(3, 1, 2);
    }

    @Test
    void p90IsTheNearestRank() {
        long[] ten = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
        assertThat(Stats.percentile(ten, 90)).isEqualTo(9.0); // ceil(0.9*10) = 9th smallest
        assertThat(Stats.percentile(ten, 100)).isEqualTo(10.0);
        assertThat(Stats.percentile(new long[] {1, 2, 3}, 90)).isEqualTo(3.0); // ceil(2.7) = 3rd
        assertThat(Stats.percentile(new long[] {42}, 90)).isEqualTo(42.0);
        assertThat(Stats.max(ten)).isEqualTo(10.0);
        assertThatThrownBy(() -> Stats.percentile(ten, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rateIsConnectionsPerSecondOfTheWindow() {
        assertThat(Stats.rate(100, 500_000_000L)).isCloseTo(200.0, within(1e-9)); // 100 in 0.5 s
        assertThat(Stats.rate(1, 25_000_000L)).isCloseTo(40.0, within(1e-9));
        assertThat(Stats.rateFromMillis(100, 441.75)).isCloseTo(226.372, within(1e-3));
        assertThat(Stats.rate(0, 1)).isNaN();
        assertThat(Stats.rate(10, 0)).isNaN();
    }

    @Test
    void ratioIsReferenceOverCmtime() {
        assertThat(Stats.ratio(200, 250)).isCloseTo(0.8, within(1e-12));
        assertThat(Stats.ratio(Double.NaN, 250)).isNaN();
        assertThat(Stats.ratio(200, 0)).isNaN();
    }

    @Test
    void spreadIsTheRangeOverTheMedian() {
        assertThat(Stats.spread(List.of(90.0, 100.0, 120.0))).isCloseTo(0.3, within(1e-12));
        assertThat(Stats.spread(List.of(100.0))).isNaN();
    }

    @Test
    void aRoundsRateComesFromItsSetupWindow() {
        RoundResult r = new RoundResult(10, null, 50_000_000L, Map.of(), Map.of(), Map.of());
        assertThat(r.rate()).isCloseTo(200.0, within(1e-9));
        RoundResult failed = RoundResult.failed(10, "connect #3 -> STATUS_IO_TIMEOUT", Map.of(), Map.of(), Map.of());
        assertThat(failed.ok()).isFalse();
        assertThat(failed.rate()).isNaN();
    }

    @Test
    void roundsSurviveTheirJsonForm() {
        RoundResult r = new RoundResult(2, null, 40_000_000L, Map.of("connect", new long[] {3, 4}),
                Map.of("connect", 9L), Map.of("process:setup", 7L));
        @SuppressWarnings("unchecked")
        Map<String, Object> json = new com.fasterxml.jackson.databind.ObjectMapper()
                .convertValue(r.toJson(), Map.class);
        RoundResult back = RoundResult.fromJson(json);
        assertThat(back.n()).isEqualTo(2);
        assertThat(back.setupNanos()).isEqualTo(40_000_000L);
        assertThat(back.latencies().get("connect")).containsExactly(3, 4);
        assertThat(back.phaseNanos()).containsEntry("connect", 9L);
        assertThat(back.cpuNanos()).containsEntry("process:setup", 7L);
        assertThat(back.rate()).isCloseTo(50.0, within(1e-9));
    }
}

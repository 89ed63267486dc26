package org.ndkkit.reference;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class FourTupleTableTest {
    private static Endpoint ep(String ip, int port) throws Exception {
        return new Endpoint(InetAddress.getByAddress(LabPlan.ipv4(ip, "test").getAddress()), port);
    }

    @Test
    void aSecondConnectionWithTheSameFourTupleIsRefusedUntilTheFirstIsReleased() throws Exception {
        FourTupleTable t = new FourTupleTable();
        Object c1 = new Object();
        Object c2 = new Object();
        var tuple = new FourTupleTable.FourTuple(ep("198.18.0.1", 50000), ep("198.18.1.1", 7000));
        assertThat(t.reserve(tuple, c1)).isTrue();
        assertThat(t.reserve(new FourTupleTable.FourTuple(ep("198.18.0.1", 50000), ep("198.18.1.1", 7000)), c2)).isFalse();
        t.release(tuple, c2); // not c2's: no effect
        assertThat(t.isInUse(tuple)).isTrue();
        t.release(tuple, c1);
        assertThat(t.reserve(tuple, c2)).isTrue();
    }

    @Test
    void anyDifferentElementMakesADifferentFourTuple() throws Exception {
        FourTupleTable t = new FourTupleTable();
        Object o = new Object();
        assertThat(t.reserve(new FourTupleTable.FourTuple(ep("198.18.0.1", 50000), ep("198.18.1.1", 7000)), o)).isTrue();
        assertThat(t.reserve(new FourTupleTable.FourTuple(ep("198.18.0.1", 50000), ep("198.18.1.1", 7001)), o)).isTrue();
        assertThat(t.reserve(new FourTupleTable.FourTuple(ep("198.18.0.1", 50000), ep("198.18.1.2", 7000)), o)).isTrue();
        assertThat(t.reserve(new FourTupleTable.FourTuple(ep("198.18.0.1", 50001), ep("198.18.1.1", 7000)), o)).isTrue();
        assertThat(t.reserve(new FourTupleTable.FourTuple(ep("198.18.0.2", 50000), ep("198.18.1.1", 7000)), o)).isTrue();
        assertThat(t.size()).isEqualTo(5);
    }
}

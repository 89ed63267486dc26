package org.ndkkit.simulated;

import static org.assertj.core.api.Assertions.assertThat;

import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NdkSharedEndpoint;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.SockAddr;

/** An established connection from a shared endpoint to a listener. */
final class Pair {
    NdkConnector active;
    NdkConnector passive;
    NdkQp activeQp;
    NdkQp passiveQp;
    Disconnects activeEvents;
    Disconnects passiveEvents;

    static Pair establish(Lab lab, Listening listening, NdkSharedEndpoint se, String name) {
        return establish(lab, listening.address, listening, se, name);
    }

    static Pair establish(Lab lab, SockAddr destination, Listening listening, NdkSharedEndpoint se, String name) {
        Pair p = new Pair();
        p.active = lab.connector(lab.local);
        p.activeQp = lab.qp(lab.local);
        p.passiveQp = lab.qp(lab.peer);
        p.activeEvents = new Disconnects(name, lab);
        p.passiveEvents = new Disconnects("P" + name, lab);
        Req connect = new Req("connect " + name, lab);
        assertThat(connect.run(() -> p.active.connectWithSharedEndpoint(p.activeQp, se, destination, 4, 4,
                null, 0, connect, connect.context))).isEqualTo(NtStatus.PENDING);
        p.passive = listening.next();
        Req accept = new Req("accept P" + name, lab);
        assertThat(accept.run(() -> p.passive.accept(p.passiveQp, 4, 4, null, 0, p.passiveEvents,
                p.passiveEvents.context, accept, accept.context))).isEqualTo(NtStatus.PENDING);
        assertThat(connect.outcome()).isEqualTo(NtStatus.SUCCESS);
        Req complete = new Req("complete " + name, lab);
        assertThat(complete.run(() -> p.active.completeConnect(p.activeEvents, p.activeEvents.context,
                complete, complete.context))).isEqualTo(NtStatus.PENDING);
        assertThat(complete.outcome()).isEqualTo(NtStatus.SUCCESS);
        assertThat(accept.outcome()).isEqualTo(NtStatus.SUCCESS);
        return p;
    }
}

package org.ndkkit.spi;

/**
 * The network between the {@link Host#LOCAL} and the {@link Host#PEER} host, for a testbed whose
 * hosts are separate machines joined by a link it can disturb (a lab of two virtual machines, or
 * two servers behind a switch the lab controls). The kit uses it to check what a provider reports
 * when frames are lost, delayed or reordered, when the link goes down, and when the peer machine
 * stops answering.
 *
 * <p>Every fault lasts until its handle is closed; closing heals it (the link carries frames as
 * before, the peer machine runs again) and returns only once it has. The kit heals every fault
 * before it closes a scenario's objects. A testbed that cannot make a fault returns
 * {@link Availability#unavailable} with the reason; the kit then reports the scenario
 * unsupported.
 */
public interface NetworkLink {

    /** Impairs every frame on the link, in both directions, as {@code impairment} says. */
    Availability<LinkFault> impair(LinkImpairment impairment);

    /**
     * Takes the link down: no frame crosses it in either direction. The local host's own network
     * interface may keep its carrier (a cut further along the wire); the testbed says which in
     * {@link LinkFault#toString()}.
     */
    Availability<LinkFault> cut();

    /**
     * Stops the peer machine as a whole (its processors and its network interface, as a paused
     * virtual machine or a hung host): it neither answers nor sends anything, and its state is
     * kept. Closing the handle lets it run on from where it stopped.
     */
    Availability<LinkFault> pausePeer();

    /**
     * Ends the process that serves the peer's provider abruptly (SIGKILL or its equivalent), so
     * that the peer's operating system, not the provider, tears down the peer's connections.
     * Every object made on {@link Host#PEER} before is gone with the process: the kit no longer
     * calls or closes it. Closing the handle starts a fresh process and returns once it serves;
     * from then {@link Testbed#adapter(Host) adapter(PEER)} is the fresh process's adapter.
     * Unavailable by default.
     */
    default Availability<LinkFault> killPeerProvider() {
        return Availability.unavailable("cannot-kill-peer", "the testbed cannot end the peer's provider process");
    }
}

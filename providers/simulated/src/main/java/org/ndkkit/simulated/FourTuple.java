package org.ndkkit.simulated;

/** (local ip, local port, remote ip, remote port): at most one open connection attempt per tuple. */
record FourTuple(IpPort local, IpPort remote) {
}

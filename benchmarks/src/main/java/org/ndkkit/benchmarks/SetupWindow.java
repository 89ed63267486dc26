package org.ndkkit.benchmarks;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;

/**
 * One round's setup window as a Flight Recorder event, so that a profile of a whole benchmark JVM
 * (warm-up, listener creation, disconnects and closes included) can be cut down to the part the
 * setup rate measures ({@code benchmarks/jfr/window-profile.py}). Costs nothing when no
 * recording runs.
 */
@Name("org.ndkkit.benchmarks.SetupWindow")
@Label("Setup window")
@Category("NDK kit benchmark")
@Description("From the first connect issued to the last complete-connect returned, in one round")
final class SetupWindow extends Event {
    @Label("Connections")
    int n;

    @Label("Round of the session")
    int round;
}

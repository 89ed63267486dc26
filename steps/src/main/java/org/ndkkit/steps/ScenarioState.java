package org.ndkkit.steps;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ndkkit.kit.Bytes;
import org.ndkkit.kit.Lab;
import org.ndkkit.kit.Outcome;
import org.ndkkit.spi.LiftedCondition;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.ResourceExhaustion;
import org.ndkkit.spi.SockAddr;

/** What the steps of one scenario share (created per scenario by the DI container). */
public final class ScenarioState {
    Lab lab;
    /** Private data each sender sent, by sender name ("the peer's reject" for rejects). */
    final Map<String, byte[]> sent = new HashMap<>();
    /** Handles that make the testbed exhaust something; released before cleanup. */
    final List<ResourceExhaustion> exhaustions = new ArrayList<>();
    /** How each of them was produced, for the scenario's report. */
    final List<org.ndkkit.kit.LabConditionRecord> conditions = new ArrayList<>();
    /** Faults on the link between the hosts; healed before cleanup. */
    final List<org.ndkkit.spi.LinkFault> linkFaults = new ArrayList<>();
    /** Lab conditions the testbed lifted; put back after cleanup. */
    final List<LiftedCondition> lifts = new ArrayList<>();
    /** The last create a step made whose failure a later step checks. */
    Outcome lastCreation;
    /** The last synchronous NdkReject. */
    NtStatus lastReject;
    /** The last destination a lab condition gave. */
    SockAddr lastConditionDestination;
    /** The condition that destination shows. */
    org.ndkkit.spi.LabCondition lastConditionCondition;
    /** The last read with a buffer (connection data or an address). */
    NtStatus lastReadStatus;
    long lastReadLength;
    byte[] lastReadBuffer;
    long requiredSize = -1;
    /** The object whose address the last address read was about. */
    String lastReadObject;
    /** The last listen a step tried whose failure a later step checks. */
    Outcome lastListen;
    /** Outcomes of the creates made by the create-pattern scenario. */
    final List<String> createOutcomes = new ArrayList<>();
    /** How the trace names QPs a connect borrowed from elsewhere. */
    final Map<Object, String> qpNames = new java.util.IdentityHashMap<>();
    /** Violations found when a step closed everything. */
    List<org.ndkkit.kit.Violation> closeViolations = List.of();

    byte[] payload(String sender, long n) {
        byte[] b = Bytes.pattern(Math.floorMod(sender.hashCode(), 200), (int) n);
        sent.put(sender, b);
        return b;
    }
}

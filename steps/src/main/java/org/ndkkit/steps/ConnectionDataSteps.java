package org.ndkkit.steps;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.util.Arrays;
import org.ndkkit.kit.Bytes;
import org.ndkkit.kit.Lab;
import org.ndkkit.kit.Lab.ConnectorRef;
import org.ndkkit.spi.Availability;
import org.ndkkit.spi.NdkQp;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.QpReadLimits;
import org.ndkkit.spi.UlongRef;

/** NdkGetConnectionData: effective read limits, private data, and its buffer protocol. */
public final class ConnectionDataSteps {
    private final ScenarioState state;
    private final TopologySteps topology;

    public ConnectionDataSteps(ScenarioState state, TopologySteps topology) {
        this.state = state;
        this.topology = topology;
    }

    private Lab lab() {
        return state.lab;
    }

    /** One NdkGetConnectionData call with a buffer of {@code size} bytes (null when {@code buffer} is false). */
    private NtStatus read(String connector, boolean buffer, long size, UlongRef in, UlongRef out) {
        ConnectorRef c = lab().connector(connector);
        byte[] buf = buffer ? new byte[(int) size] : null;
        UlongRef len = UlongRef.of(size);
        NtStatus s = lab().sync("NdkGetConnectionData(" + connector + ", " + (buffer ? "buffer " + size : "no buffer")
                + ", length " + size + (in == null ? ", no limit outputs" : "") + ")",
                () -> c.connector().getConnectionData(in, out, buf, len));
        state.lastReadStatus = s;
        state.lastReadLength = len.unsigned();
        state.lastReadBuffer = buf;
        lab().trace().note("  -> length " + len + (in != null ? ", inbound " + in + ", outbound " + out : ""));
        return s;
    }

    /** The required data size, asked for the documented way (no buffer, length 0). */
    private long requiredSize(String connector) {
        NtStatus s = read(connector, false, 0, null, null);
        lab().expectStatus("NdkGetConnectionData(" + connector + ", no buffer, length 0)", NtStatus.SUCCESS, s);
        state.requiredSize = state.lastReadLength;
        return state.requiredSize;
    }

    private long[] limits(String connector) {
        UlongRef in = new UlongRef(0xDEADBEEF);
        UlongRef out = new UlongRef(0xDEADBEEF);
        long rds = requiredSize(connector);
        NtStatus s = read(connector, true, rds, in, out);
        lab().expectStatus("NdkGetConnectionData(" + connector + ")", NtStatus.SUCCESS, s);
        return new long[] {in.unsigned(), out.unsigned()};
    }

    @Then("{name} reads an effective {direction} read limit of {limit}")
    public void effective(String c, String direction, String expected) {
        long want = topology.eval(expected);
        long got = limits(c)[direction.equals("inbound") ? 0 : 1];
        if (got != want) {
            throw lab().failure(c + " effective " + direction + " read limit: expected " + want + " (" + expected
                    + "), got " + got);
        }
    }

    @Then("{name} reads inbound read limit {limit} and outbound read limit {limit}")
    public void both(String c, String in, String out) {
        long wantIn = topology.eval(in);
        long wantOut = topology.eval(out);
        long[] got = limits(c);
        if (got[0] != wantIn || got[1] != wantOut) {
            throw lab().failure(c + " effective read limits: expected inbound " + wantIn + " (" + in + ") and outbound "
                    + wantOut + " (" + out + "), got inbound " + got[0] + " and outbound " + got[1]);
        }
    }

    @Then("{name} reads inbound read limit {limit} and outbound read limit {limit}, or inbound read limit {limit} and outbound read limit {limit}")
    public void eitherOf(String c, String in1, String out1, String in2, String out2) {
        long[] a = {topology.eval(in1), topology.eval(out1)};
        long[] b = {topology.eval(in2), topology.eval(out2)};
        long[] got = limits(c);
        boolean first = got[0] == a[0] && got[1] == a[1];
        if (!first && !(got[0] == b[0] && got[1] == b[1])) {
            throw lab().failure(c + " read limits: expected inbound " + a[0] + " and outbound " + a[1] + " (" + in1 + ", " + out1
                    + "), or inbound " + b[0] + " and outbound " + b[1] + " (" + in2 + ", " + out2 + "), got inbound "
                    + got[0] + " and outbound " + got[1]);
        }
        lab().trace().note(c + " read limits match the " + (first ? "first" : "second") + " reading"
                + (Arrays.equals(a, b) ? " (both readings agree here)" : ""));
    }

    /** The reason code of {@code Testbed.qpReadLimits} for a QP read that found no established connection. */
    static final String QP_NOT_ESTABLISHED = "qp-not-established";

    @Then("the QP of {name} allows {limit} inbound and {limit} outbound reads in flight")
    public void qpAllows(String c, String in, String out) {
        long wantIn = topology.eval(in);
        long wantOut = topology.eval(out);
        NdkQp qp = lab().qpFor(lab().connector(c));
        Availability<QpReadLimits> read = lab().session().testbed().qpReadLimits(qp);
        if (!read.isAvailable() && QP_NOT_ESTABLISHED.equals(read.reasonCode())) {
            // The testbed could read the QP and found no connection's attributes: after a completed
            // connection that is the provider's defect, not a capability the testbed lacks.
            throw lab().failure("the QP of " + c + " was read from its device and has no established connection's"
                    + " read limits (" + read.detail() + "), though its connection was completed");
        }
        QpReadLimits got = TopologySteps.available(read);
        lab().trace().note("the QP of " + c + ", read from its device: inbound " + got.inbound() + ", outbound " + got.outbound());
        if (got.inbound() != wantIn || got.outbound() != wantOut) {
            throw lab().failure("the QP of " + c + " allows inbound " + got.inbound() + " and outbound " + got.outbound()
                    + " reads in flight; the connection settled on inbound " + wantIn + " (" + in + ") and outbound "
                    + wantOut + " (" + out + ")");
        }
    }

    private void checkData(String reader, String sender, long n) {
        long rds = requiredSize(reader);
        if (rds < n) {
            throw lab().failure(reader + ": required data size " + rds + " is less than the " + n + " bytes " + sender + " sent");
        }
        lab().expectStatus("NdkGetConnectionData(" + reader + ")", NtStatus.SUCCESS, read(reader, true, rds, null, null));
        expectPrefix(sender, n);
    }

    private void expectPrefix(String sender, long n) {
        byte[] want = state.sent.get(sender);
        if (want == null || want.length != n) {
            throw new IllegalStateException("the scenario did not send " + n + " bytes as " + sender);
        }
        byte[] got = Arrays.copyOf(state.lastReadBuffer, (int) Math.min(n, state.lastReadBuffer.length));
        if (!Arrays.equals(want, got)) {
            throw lab().failure("private data from " + sender + ": expected " + n + " bytes " + Bytes.preview(want, want.length)
                    + ", got " + Bytes.preview(got, got.length));
        }
    }

    @Then("{name} reads the {limit} bytes {name} sent")
    public void readsSent(String reader, String n, String sender) {
        checkData(reader, sender, topology.eval(n));
    }

    @Then("{name} reads the {limit} bytes the peer rejected with")
    public void readsRejectData(String reader, String n) {
        checkData(reader, "reject", topology.eval(n));
    }

    @When("{name} reads its connection data with no buffer and length 0")
    public void nullBuffer(String c) {
        read(c, false, 0, new UlongRef(0), new UlongRef(0));
    }

    @When("{name} reads its connection data into a buffer {int} byte(s) shorter than the required size")
    public void shortBuffer(String c, int less) {
        long rds = requiredSize(c);
        if (rds < less) {
            throw lab().failure(c + ": required data size " + rds + " is too small to read into a shorter buffer");
        }
        read(c, true, rds - less, new UlongRef(0), new UlongRef(0));
    }

    @When("{name} reads its connection data into a buffer {int} bytes longer than the required size")
    public void longBuffer(String c, int more) {
        long rds = requiredSize(c);
        read(c, true, rds + more, new UlongRef(0), new UlongRef(0));
    }

    @When("{name} reads its connection data without asking for read limits")
    public void withoutLimits(String c) {
        long rds = requiredSize(c);
        read(c, true, rds, null, null);
    }

    @Then("the read returns {status} and reports a required size of at least {int}")
    public void returnsAtLeast(NtStatus status, int n) {
        lab().expectStatus("the read", status, state.lastReadStatus);
        if (state.lastReadLength < n) {
            throw lab().failure("the read reported a required size of " + state.lastReadLength + ", less than the " + n
                    + " bytes sent");
        }
    }

    @Then("the read returns {status} and reports the required size")
    public void returnsRequired(NtStatus status) {
        lab().expectStatus("the read", status, state.lastReadStatus);
        if (state.lastReadLength != state.requiredSize) {
            throw lab().failure("the read wrote back a length of " + state.lastReadLength + "; the required size is "
                    + state.requiredSize + " and must be written back in every case");
        }
    }

    @Then("the buffer starts with the {int} bytes {name} sent")
    public void bufferStarts(int n, String sender) {
        expectPrefix(sender, n);
    }
}

package org.ndkkit.steps;

import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.util.function.ToIntFunction;
import org.ndkkit.kit.Lab;
import org.ndkkit.kit.Unsupported;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkObject;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.QpParameters;

/** CQs and QPs sized one above the adapter's maxima (NdkCreateCq, NdkCreateQp): refused, never created. */
public final class AdapterLimitSteps {
    private final ScenarioState state;
    private String label;
    private Lab.CreateResult<? extends NdkObject> result;

    public AdapterLimitSteps(ScenarioState state) {
        this.state = state;
    }

    private Lab lab() {
        return state.lab;
    }

    /** One above {@code max} (a ULONG), or unsupported when the maximum is the largest ULONG. */
    private static int oneAbove(String maximum, int max) {
        if (max == -1) {
            throw new Unsupported("no-size-above-maximum", maximum + " is 0xFFFFFFFF: no ULONG is above it");
        }
        return max + 1;
    }

    @When("the consumer creates a CQ on the local adapter with CqDepth one above MaxCqDepth")
    public void cqTooDeep() {
        int depth = oneAbove("MaxCqDepth", lab().info(Host.LOCAL).maxCqDepth());
        label = "NdkCreateCq(CqDepth " + Integer.toUnsignedString(depth) + ")";
        result = lab().tryCreate(label, "X-CQ", t -> lab().adapter(Host.LOCAL).createCq(depth, t.createCompletion(), t.context()));
        keep("X-CQ");
    }

    @When("the consumer creates a QP on the local adapter with {word} one above {word}")
    public void qpTooLarge(String size, String maximum) {
        AdapterInfo info = lab().info(Host.LOCAL);
        QpParameters small = QpParameters.small();
        ToIntFunction<AdapterInfo> max = switch (maximum) {
            case "MaxReceiveQueueDepth" -> AdapterInfo::maxReceiveQueueDepth;
            case "MaxInitiatorQueueDepth" -> AdapterInfo::maxInitiatorQueueDepth;
            case "MaxReceiveRequestSge" -> AdapterInfo::maxReceiveRequestSge;
            case "MaxInitiatorRequestSge" -> AdapterInfo::maxInitiatorRequestSge;
            case "MaxInlineDataSize" -> AdapterInfo::maxInlineDataSize;
            default -> throw new IllegalArgumentException("no adapter maximum " + maximum);
        };
        int v = oneAbove(maximum, max.applyAsInt(info));
        QpParameters p = switch (size) {
            case "ReceiveQueueDepth" -> new QpParameters(v, small.initiatorQueueDepth(), small.maxReceiveRequestSge(),
                    small.maxInitiatorRequestSge(), small.inlineDataSize());
            case "InitiatorQueueDepth" -> new QpParameters(small.receiveQueueDepth(), v, small.maxReceiveRequestSge(),
                    small.maxInitiatorRequestSge(), small.inlineDataSize());
            case "MaxReceiveRequestSge" -> new QpParameters(small.receiveQueueDepth(), small.initiatorQueueDepth(), v,
                    small.maxInitiatorRequestSge(), small.inlineDataSize());
            case "MaxInitiatorRequestSge" -> new QpParameters(small.receiveQueueDepth(), small.initiatorQueueDepth(),
                    small.maxReceiveRequestSge(), v, small.inlineDataSize());
            case "InlineDataSize" -> new QpParameters(small.receiveQueueDepth(), small.initiatorQueueDepth(),
                    small.maxReceiveRequestSge(), small.maxInitiatorRequestSge(), v);
            default -> throw new IllegalArgumentException("no QP size " + size);
        };
        label = "NdkCreateQp(" + size + " " + Integer.toUnsignedString(v) + ")";
        result = lab().tryCreate(label, "X-QP", t -> lab().pd(Host.LOCAL).createQp(lab().cq(Host.LOCAL), lab().cq(Host.LOCAL),
                p, t.createCompletion(), t.context()));
        keep("X-QP");
    }

    @When("the consumer creates a {word} on the local adapter")
    public void create(String kind) {
        var a = lab().adapter(Host.LOCAL);
        label = "NdkCreate" + switch (kind) {
            case "PD" -> "Pd";
            case "CQ" -> "Cq";
            case "connector" -> "Connector";
            case "listener" -> "Listener";
            case "QP" -> "Qp";
            default -> throw new IllegalArgumentException("no object kind " + kind + " (PD, CQ, QP, connector, listener)");
        } + "(X)";
        result = switch (kind) {
            case "PD" -> lab().tryCreate(label, "X-PD", t -> a.createPd(t.createCompletion(), t.context()));
            case "CQ" -> lab().tryCreate(label, "X-CQ", t -> a.createCq(16, t.createCompletion(), t.context()));
            case "connector" -> lab().tryCreate(label, "X-C", t -> a.createConnector(t.createCompletion(), t.context()));
            // the scenario's own PD and CQ, created before the resources ran out
            case "QP" -> lab().tryCreate(label, "X-QP", t -> lab().pd(Host.LOCAL).createQp(lab().cq(Host.LOCAL),
                    lab().cq(Host.LOCAL), QpParameters.small(), t.createCompletion(), t.context()));
            default -> lab().tryCreate(label, "X-L", t -> a.createListener(
                    (ctx, c) -> lab().trace().callback("unexpected connect event on X-L"), null, t.createCompletion(), t.context()));
        };
        keep("X-" + kind);
    }

    @Then("that create fails with {status} or succeeds")
    public void createFailsOrSucceeds(NtStatus status) {
        if (result.object() == null) {
            lab().expectStatus(label, status, result.outcome());
        }
    }

    /** An object the provider created after all is closed with the scenario's others. */
    private void keep(String name) {
        if (result.object() != null) {
            lab().adopt(name, result.object());
        }
    }

    @Then("that create fails with {status}")
    public void createFails(NtStatus status) {
        lab().expectStatus(label, status, result.outcome());
    }
}

package org.ndkkit.reliability;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The bad-input property, run by {@link BadInputPhase} through the JUnit Platform launcher with
 * as many tries as {@code --bad-inputs} asks for (jqwik's {@code jqwik.tries.default}). It
 * collects every finding instead of stopping at the first: the runner reports them.
 */
public class BadInputProperties {
    /** The run's runner, set by {@link BadInputPhase} around the launch. */
    static volatile BadInputRunner runner;

    @Property
    boolean everyBadInputLeavesTheProviderWorking(@ForAll("badCalls") BadCall call) {
        runner.check(call);
        return true; // findings are reported and counted by the runner; all the tries run
    }

    @Provide
    Arbitrary<BadCall> badCalls() {
        return BadCalls.any();
    }
}

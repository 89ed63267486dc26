package org.ndkkit.reference.rdma;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test that needs rdma-core's libraries (librdmacm.so.1, libibverbs.so.1) to load. Where they do
 * not, the test is skipped with the loader's reason, so {@code mvn verify} passes on a machine
 * without rdma-core (a vendor's Windows or macOS workstation, a CI runner) and says what it left
 * out. With {@code -Dndk.require-rdma-core=true} (what {@code ./ndk test} passes) the test runs
 * anyway, so a library that stopped loading on the full machine fails instead of being skipped.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(RequiresRdmaCore.Condition.class)
public @interface RequiresRdmaCore {

    /** Enabled when the libraries load or are required; else disabled, naming what failed to load. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (Boolean.getBoolean("ndk.require-rdma-core")) {
                return ConditionEvaluationResult.enabled("ndk.require-rdma-core=true: runs whether or not rdma-core loads");
            }
            String problem = NativeLibraries.rdmacmProblem().or(NativeLibraries::ibverbsProblem).orElse(null);
            return problem == null ? ConditionEvaluationResult.enabled("rdma-core's libraries load")
                    : ConditionEvaluationResult.disabled("needs rdma-core: " + problem);
        }
    }
}

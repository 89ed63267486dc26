package org.ndkkit.steps.mutation;

import org.junit.platform.suite.api.SelectClasspathResource;

/** features/completion-contract.feature, for PIT. */
@SelectClasspathResource("ndk/features/completion-contract.feature")
public class CompletionContractFeature extends FeatureSuite {
}

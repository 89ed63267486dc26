package org.ndkkit.steps.mutation;

import org.junit.platform.suite.api.SelectClasspathResource;

/** features/connection-sequence.feature, for PIT. */
@SelectClasspathResource("ndk/features/connection-sequence.feature")
public class ConnectionSequenceFeature extends FeatureSuite {
}

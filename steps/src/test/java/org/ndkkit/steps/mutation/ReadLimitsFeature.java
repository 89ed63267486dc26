package org.ndkkit.steps.mutation;

import org.junit.platform.suite.api.SelectClasspathResource;

/** features/read-limits.feature, for PIT. */
@SelectClasspathResource("ndk/features/read-limits.feature")
public class ReadLimitsFeature extends FeatureSuite {
}

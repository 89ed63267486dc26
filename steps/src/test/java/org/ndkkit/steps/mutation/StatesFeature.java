package org.ndkkit.steps.mutation;

import org.junit.platform.suite.api.SelectClasspathResource;

/** features/states.feature, for PIT. */
@SelectClasspathResource("ndk/features/states.feature")
public class StatesFeature extends FeatureSuite {
}

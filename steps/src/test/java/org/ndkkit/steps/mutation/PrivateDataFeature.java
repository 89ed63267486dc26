package org.ndkkit.steps.mutation;

import org.junit.platform.suite.api.SelectClasspathResource;

/** features/private-data.feature, for PIT. */
@SelectClasspathResource("ndk/features/private-data.feature")
public class PrivateDataFeature extends FeatureSuite {
}

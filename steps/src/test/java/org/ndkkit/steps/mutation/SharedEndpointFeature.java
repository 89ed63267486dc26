package org.ndkkit.steps.mutation;

import org.junit.platform.suite.api.SelectClasspathResource;

/** features/shared-endpoint.feature, for PIT. */
@SelectClasspathResource("ndk/features/shared-endpoint.feature")
public class SharedEndpointFeature extends FeatureSuite {
}

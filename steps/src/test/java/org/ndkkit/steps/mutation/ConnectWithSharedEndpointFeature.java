package org.ndkkit.steps.mutation;

import org.junit.platform.suite.api.SelectClasspathResource;

/** features/connect-with-shared-endpoint.feature, for PIT. */
@SelectClasspathResource("ndk/features/connect-with-shared-endpoint.feature")
public class ConnectWithSharedEndpointFeature extends FeatureSuite {
}

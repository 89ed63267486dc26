package org.ndkkit.steps.mutation;

import org.junit.platform.suite.api.SelectClasspathResource;

/** features/network-faults.feature, for PIT. */
@SelectClasspathResource("ndk/features/network-faults.feature")
public class NetworkFaultsFeature extends FeatureSuite {
}

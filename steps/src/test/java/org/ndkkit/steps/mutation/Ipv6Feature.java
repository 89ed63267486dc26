package org.ndkkit.steps.mutation;

import org.junit.platform.suite.api.SelectClasspathResource;

/** features/ipv6.feature, for PIT. */
@SelectClasspathResource("ndk/features/ipv6.feature")
public class Ipv6Feature extends FeatureSuite {
}

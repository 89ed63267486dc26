package org.ndkkit.steps.mutation;

import org.junit.platform.suite.api.SelectClasspathResource;

/** features/object-lifetime.feature, for PIT. */
@SelectClasspathResource("ndk/features/object-lifetime.feature")
public class ObjectLifetimeFeature extends FeatureSuite {
}

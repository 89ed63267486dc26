package org.ndkkit.steps.mutation;

import static io.cucumber.junit.platform.engine.Constants.GLUE_PROPERTY_NAME;

import org.junit.platform.suite.api.ConfigurationParameter;
import org.junit.platform.suite.api.IncludeEngines;
import org.junit.platform.suite.api.Suite;

/**
 * One feature file as a JUnit Platform suite of its own, for PIT (steps/MUTATION.md): PIT finds its
 * tests per test class, so a class per feature lets a run pick features, and the scenarios of each
 * become PIT's test units (coverage and kills are attributed per scenario). A subclass names its
 * feature with {@code @SelectClasspathResource}; these annotations are inherited.
 *
 * <p>Not run by the normal build: surefire's default includes do not match {@code *Feature}, and
 * failsafe runs only {@code ConformanceSuite}.
 */
@Suite
@IncludeEngines("cucumber")
@ConfigurationParameter(key = GLUE_PROPERTY_NAME, value = "org.ndkkit.steps")
public abstract class FeatureSuite {
}

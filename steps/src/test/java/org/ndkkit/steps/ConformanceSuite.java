package org.ndkkit.steps;

import static io.cucumber.junit.platform.engine.Constants.GLUE_PROPERTY_NAME;

import org.junit.platform.suite.api.ConfigurationParameter;
import org.junit.platform.suite.api.IncludeEngines;
import org.junit.platform.suite.api.SelectPackages;
import org.junit.platform.suite.api.Suite;

/**
 * The whole spec as one JUnit Platform suite. Which provider it runs against, and where results
 * go, come from system properties ({@code ndk.provider}, {@code ndk.out}; see KitConfig); the
 * report plugins from {@code cucumber.plugin} (set per run in the pom, defaulted in
 * junit-platform.properties).
 */
@Suite
@IncludeEngines("cucumber")
@SelectPackages("ndk.features")
@ConfigurationParameter(key = GLUE_PROPERTY_NAME, value = "org.ndkkit.steps")
public class ConformanceSuite {
}

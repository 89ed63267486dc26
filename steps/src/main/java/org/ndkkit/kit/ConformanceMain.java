package org.ndkkit.kit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import java.util.Map;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * Runs the whole spec without Maven, for places where only a JVM is available (the SoftRoCE lab's
 * guest). Settings come from system properties as for the Maven run (see {@link KitConfig}).
 * Exit code: 0 when no scenario failed, 1 when one did, 2 when the environment was unusable.
 */
public final class ConformanceMain {
    private ConformanceMain() {
    }

    public static void main(String[] args) {
        KitConfig config = KitConfig.fromSystemProperties();
        String out = config.outDir().toAbsolutePath().toString();
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectPackage("ndk.features"))
                .configurationParameters(Map.of(
                        "cucumber.glue", "org.ndkkit.steps",
                        "cucumber.publish.quiet", "true",
                        "cucumber.junit-platform.naming-strategy", "long",
                        "cucumber.plugin", System.getProperty("cucumber.plugin",
                                "org.ndkkit.kit.SummaryPlugin, junit:" + out + "/cucumber-junit.xml, message:" + out
                                        + "/cucumber-messages.ndjson, html:" + out + "/cucumber-report.html")))
                .build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        long failed = listener.getSummary().getTotalFailureCount();
        if (Session.peek() == null && listener.getSummary().getTestsFoundCount() > 0 && failed > 0) {
            System.exit(2);
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}

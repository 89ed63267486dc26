package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.ndkkit.spi.NdkProvider;
import org.ndkkit.spi.Providers;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.spi.TestbedNotImplementedException;

/** What the kit relies on before it runs a scenario. The conformance itself is the kit's: README.md. */
class ${providerClass}Test {

    @Test
    void theKitFindsTheProviderByName() {
        // what 'ndk-cli run -p ${providerName}' does: ServiceLoader, META-INF/services/org.ndkkit.spi.NdkProvider
        NdkProvider p = Providers.byName(${providerClass}.NAME);
        assertInstanceOf(${providerClass}.class, p);
        assertEquals("${providerName}", p.identity().name());
        assertFalse(p.identity().version().isBlank());
    }

    @Test
    void capabilitiesAreAnswered() {
        assertTrue(new ${providerClass}().capabilities() != null);
    }

    // TODO(vendor): the skeleton's state; replace this test with your testbed's own checks once
    // ${providerClass}Testbed.open is implemented (README.md, step 1).
    @Test
    void theSkeletonSaysWhatIsNotImplemented() {
        TestbedNotImplementedException e = assertThrows(TestbedNotImplementedException.class,
                () -> new ${providerClass}().openTestbed(new TestbedOptions(Duration.ofMillis(1500), Map.of())));
        assertTrue(e.getMessage().contains("implement ${providerClass}Testbed.open"), e.getMessage());
    }
}

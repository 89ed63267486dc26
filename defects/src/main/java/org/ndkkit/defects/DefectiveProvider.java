package org.ndkkit.defects;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.ndkkit.spi.NdkProvider;
import org.ndkkit.spi.ProviderCapability;
import org.ndkkit.spi.ProviderIdentity;
import org.ndkkit.spi.Providers;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.spi.TestbedUnavailableException;

/**
 * {@code defective}: any provider with one seeded defect. Settings: {@code defect=<id>} (see
 * {@link Defects}; {@code none} passes everything through) and {@code inner=<provider name>}
 * (default {@code simulated}). Every other setting goes to the inner provider, after the defect's
 * own inner settings (a defect may need, for example, a particular completion path).
 */
public final class DefectiveProvider implements NdkProvider {
    public static final String NAME = "defective";

    @Override
    public ProviderIdentity identity() {
        return new ProviderIdentity(NAME, "0.1.0", "ndkkit", "a provider with one seeded defect (settings defect=ID, inner=NAME)");
    }

    @Override
    public Set<ProviderCapability> capabilities() {
        return Set.of(ProviderCapability.IPV4, ProviderCapability.IPV6);
    }

    @Override
    public Testbed openTestbed(TestbedOptions options) throws TestbedUnavailableException {
        Defect defect = Defects.byId(options.setting("defect", "none"));
        String innerName = options.setting("inner", "simulated");
        if (innerName.equals(NAME)) {
            throw new IllegalArgumentException("the inner provider of 'defective' cannot be 'defective'");
        }
        NdkProvider inner = Providers.byName(innerName);
        Map<String, String> settings = new HashMap<>(defect.innerSettings());
        settings.putAll(options.settings());
        settings.remove("defect");
        settings.remove("inner");
        Testbed tb = inner.openTestbed(new TestbedOptions(options.connectTimeout(), settings));
        return new Wrappers.WTestbed(tb, defect);
    }
}

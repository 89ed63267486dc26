package org.ndkkit.cli.testproviders;

import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.ndkkit.simulated.SimulatedProvider;
import org.ndkkit.spi.NdkProvider;
import org.ndkkit.spi.ProviderCapability;
import org.ndkkit.spi.ProviderIdentity;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.spi.TestbedUnavailableException;

/**
 * Test provider {@code faulty}: the simulated provider with one fault, chosen by settings:
 * {@code fault=crash} halts the JVM, {@code fault=segv} reads address 0 in native code (a real
 * SIGSEGV: the JVM writes its fatal-error log and aborts), {@code fault=remote-crash} throws what the
 * remote provider throws when an agent says the provider crashed its worker
 * ({@code ProviderCrashedException}), {@code fault=hang} blocks forever, all at the local
 * adapter's {@code fault-after}-th createConnector (counted over the run);
 * {@code fault=no-testbed} makes openTestbed fail.
 */
public final class FaultyProvider implements NdkProvider {
    private static final AtomicInteger CONNECTORS = new AtomicInteger();

    @Override
    public ProviderIdentity identity() {
        return new ProviderIdentity("faulty", "0.0.1", "ndkkit-tests", "simulated, with a crash, a hang or no testbed");
    }

    @Override
    public Set<ProviderCapability> capabilities() {
        return new SimulatedProvider().capabilities();
    }

    @Override
    public Testbed openTestbed(TestbedOptions options) throws TestbedUnavailableException {
        String fault = options.setting("fault", "none");
        int after = Integer.parseInt(options.setting("fault-after", "1"));
        if (fault.equals("no-testbed")) {
            throw new TestbedUnavailableException("no RDMA device (test provider 'faulty' with fault=no-testbed)");
        }
        return new Wrapped(new SimulatedProvider().openTestbed(options), i -> i, () -> {
            if (CONNECTORS.incrementAndGet() < after) {
                return;
            }
            if (fault.equals("crash")) {
                Runtime.getRuntime().halt(99);
            } else if (fault.equals("segv")) {
                new com.sun.jna.Pointer(0).getInt(0);
            } else if (fault.equals("remote-crash")) {
                // what the remote provider throws when an agent says the provider crashed its worker
                String words = "signal 11 (SIGSEGV) in call " + CONNECTORS.get() + " (create_connector) of session 1";
                throw new org.ndkkit.spi.ProviderCrashedException(words + ", as the agent at 127.0.0.1:7400 reports", words,
                        CONNECTORS.get(), "create_connector", null);
            } else if (fault.equals("hang")) {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
    }
}

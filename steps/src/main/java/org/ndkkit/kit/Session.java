package org.ndkkit.kit;

import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.NdkProvider;
import org.ndkkit.spi.Providers;
import org.ndkkit.spi.Testbed;
import org.ndkkit.spi.TestbedOptions;
import org.ndkkit.spi.TestbedNotImplementedException;
import org.ndkkit.spi.TestbedUnavailableException;

/**
 * The provider and its testbed for the whole run: opened once, before the first scenario, and
 * closed when the JVM ends. Opening it is where an environment problem surfaces.
 */
public final class Session {
    private static Session current;
    private static EnvironmentError failure;
    /** The provider said its testbed is not implemented: every scenario is unsupported with this. */
    private static Unsupported notImplemented;
    private static boolean closeHookAdded;
    /** The reason code of a provider whose testbed is not implemented (TestbedNotImplementedException). */
    public static final String NOT_IMPLEMENTED = "not-implemented";

    private final KitConfig config;
    private final NdkProvider provider;
    private final Testbed testbed;
    private final AdapterInfo localInfo;
    private final AdapterInfo peerInfo;
    private volatile org.ndkkit.spi.ProviderCrashedException crash;

    private Session(KitConfig config, NdkProvider provider, Testbed testbed) {
        this.config = config;
        this.provider = provider;
        this.testbed = testbed;
        this.localInfo = testbed.adapter(Host.LOCAL).queryAdapterInfo();
        this.peerInfo = testbed.adapter(Host.PEER).queryAdapterInfo();
    }

    /**
     * The run's session, opening it on first use; an environment problem is remembered and rethrown
     * (an {@link EnvironmentError}), and so is a testbed the provider has not implemented (an
     * {@link Unsupported} with reason {@link #NOT_IMPLEMENTED}).
     */
    public static synchronized Session get() {
        if (current != null) {
            return current;
        }
        if (failure != null) {
            throw failure;
        }
        if (notImplemented != null) {
            throw notImplemented;
        }
        KitConfig config = KitConfig.fromSystemProperties();
        try {
            NdkProvider provider = Providers.byName(config.providerName());
            System.out.println("ndk: run seed " + config.runSeed() + " (" + config.seedOrigin() + "; the same draws again with -Dndk.seed="
                    + config.runSeed() + "), provider seed " + config.testbedSettings().get(KitConfig.PROVIDER_SEED));
            Testbed testbed = provider.openTestbed(new TestbedOptions(config.connectTimeout(), config.testbedSettings()));
            current = new Session(config, provider, testbed);
            if (!closeHookAdded) {
                Runtime.getRuntime().addShutdownHook(new Thread(Session::closeQuietly, "ndk-session-close"));
                closeHookAdded = true;
            }
            return current;
        } catch (TestbedNotImplementedException e) {
            notImplemented = new Unsupported(NOT_IMPLEMENTED, "the provider '" + config.providerName()
                    + "' does not implement its testbed yet: " + e.getMessage());
            throw notImplemented;
        } catch (TestbedUnavailableException | RuntimeException e) {
            failure = new EnvironmentError("cannot open provider '" + config.providerName() + "': " + e.getMessage(), e);
            throw failure;
        }
    }

    /** The session if it was opened, else null; never opens one. */
    public static synchronized Session peek() {
        return current;
    }

    /**
     * Closes the run's session, if one is open, and forgets a remembered environment problem, so
     * that the next {@link #get()} opens the provider named by the system properties afresh. For
     * runners that run the suite several times in one JVM (the kill matrix of ndk-defects).
     */
    public static synchronized void reset() {
        closeQuietly();
        failure = null;
        notImplemented = null;
    }

    /**
     * The session for the next scenario: the run's session, or with {@code ndk.testbed=per-scenario}
     * a fresh one (the previous testbed closed first), so that no scenario inherits a testbed an
     * earlier one left in some state; for mutation testing, where every mutant of a provider is a
     * new provider whose scenarios must not depend on each other. Per scenario, a testbed that
     * could not be opened is not remembered either: the next scenario (under PIT, maybe the next
     * mutant's) tries afresh.
     */
    public static synchronized Session forScenario() {
        boolean fresh = current != null ? current.config.freshTestbedPerScenario()
                : KitConfig.fromSystemProperties().freshTestbedPerScenario();
        if (fresh) {
            reset();
        }
        return get();
    }

    private static synchronized void closeQuietly() {
        if (current != null) {
            try {
                current.testbed.close();
            } catch (RuntimeException ignored) {
                // the JVM is ending; nothing left to report to
            }
            current = null;
        }
    }

    public KitConfig config() {
        return config;
    }

    public NdkProvider provider() {
        return provider;
    }

    public Testbed testbed() {
        return testbed;
    }

    public AdapterInfo info(Host host) {
        return host == Host.LOCAL ? localInfo : peerInfo;
    }

    /**
     * The provider crashed behind its transport (the first report is kept): its testbed is gone.
     * The scenario that saw it is failed ({@code crashed}); a later scenario in this process cannot
     * run on this session. Under the CLI the suite process ends after that scenario and a fresh one
     * resumes with a new session.
     */
    public void providerCrashed(org.ndkkit.spi.ProviderCrashedException e) {
        synchronized (this) {
            if (crash == null) {
                crash = e;
            }
        }
    }

    /** The provider's crash that ended this session's testbed, or null. */
    public org.ndkkit.spi.ProviderCrashedException providerCrash() {
        return crash;
    }
}

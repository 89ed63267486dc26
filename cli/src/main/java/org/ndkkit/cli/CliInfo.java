package org.ndkkit.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.ndkkit.kit.KitVersion;
import picocli.CommandLine;

/** Versions, for --version and the reports. */
public final class CliInfo implements CommandLine.IVersionProvider {
    private static final Properties P = new Properties();

    static {
        try (InputStream in = CliInfo.class.getResourceAsStream("cli.properties")) {
            if (in != null) {
                P.load(in);
            }
        } catch (IOException ignored) {
            // versions stay unknown
        }
    }

    public static String version() {
        return P.getProperty("version", "unknown");
    }

    @Override
    public String[] getVersion() {
        return new String[] {"ndk-cli " + version() + " (NDK conformance kit " + KitVersion.get() + ")",
                "Java " + System.getProperty("java.runtime.version") + " on " + System.getProperty("os.name") + " "
                        + System.getProperty("os.arch")};
    }
}

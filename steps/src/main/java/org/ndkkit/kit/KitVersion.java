package org.ndkkit.kit;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The kit's own version, as built. */
public final class KitVersion {
    private KitVersion() {
    }

    public static String get() {
        try (InputStream in = KitVersion.class.getResourceAsStream("kit.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}

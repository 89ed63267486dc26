package org.ndkkit.cli.suite;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Map;
import java.util.TreeMap;

/** Facts about the machine (or lab guest) a process runs on, for the certification bundle. */
public final class Facts {
    private Facts() {
    }

    public static ObjectNode collect() {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        n.put("arch", System.getProperty("os.arch"));
        n.put("kernel", read("/proc/sys/kernel/osrelease"));
        n.put("distribution", osRelease());
        n.put("java", System.getProperty("java.runtime.version", System.getProperty("java.version")));
        n.put("javaVendor", System.getProperty("java.vendor"));
        n.put("javaVm", System.getProperty("java.vm.name"));
        n.put("cpus", Runtime.getRuntime().availableProcessors());
        n.put("maxHeapMiB", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        n.put("timeZone", ZoneId.systemDefault().getId());
        n.put("user", System.getProperty("user.name"));
        n.put("ci", System.getenv("CI") != null && !System.getenv("CI").isBlank());
        Map<String, String> lab = new TreeMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("NDK_LAB")) {
                lab.put(k, v);
            }
        });
        ObjectNode l = n.putObject("lab");
        l.put("inLab", !lab.isEmpty());
        lab.forEach(l::put);
        return n;
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String osRelease() {
        String s = read("/etc/os-release");
        if (s == null) {
            return null;
        }
        for (String line : s.split("\n")) {
            if (line.startsWith("PRETTY_NAME=")) {
                return line.substring("PRETTY_NAME=".length()).replace("\"", "");
            }
        }
        return null;
    }
}

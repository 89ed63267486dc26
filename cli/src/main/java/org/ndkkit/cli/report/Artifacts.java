package org.ndkkit.cli.report;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.ndkkit.cli.Hashes;

/**
 * What was tested, by content: the SHA-256 of every jar (or class folder) of the kit and of the
 * provider, so a certificate names the binaries and not just a version string. A folder's hash
 * is over its files' relative paths and hashes, in path order.
 */
public final class Artifacts {
    /** One class-path entry: its file name, kind ({@code jar} or {@code folder}) and SHA-256. */
    public record Artifact(String name, String kind, String sha256) {
    }

    private Artifacts() {
    }

    /**
     * The entries of a class path (as in {@code java.class.path}), hashed, with the jars a jar's
     * manifest {@code Class-Path} names (so {@code java -jar ndk-cli.jar} counts its lib/ too);
     * entries that do not exist are left out.
     */
    public static List<Artifact> ofClassPath(String classPath) {
        List<Path> paths = new ArrayList<>();
        for (String e : classPath.split(File.pathSeparator)) {
            if (!e.isBlank()) {
                Path p = Path.of(e);
                paths.add(p);
                paths.addAll(manifestClassPath(p));
            }
        }
        return of(paths.stream().distinct().toList());
    }

    private static List<Path> manifestClassPath(Path jar) {
        if (!Files.isRegularFile(jar)) {
            return List.of();
        }
        try (JarFile j = new JarFile(jar.toFile())) {
            Manifest m = j.getManifest();
            String cp = m == null ? null : m.getMainAttributes().getValue("Class-Path");
            if (cp == null) {
                return List.of();
            }
            List<Path> out = new ArrayList<>();
            for (String e : cp.trim().split("\\s+")) {
                out.add(jar.toAbsolutePath().getParent().resolve(e));
            }
            return out;
        } catch (IOException e) {
            return List.of();
        }
    }

    public static List<Artifact> of(List<Path> entries) {
        List<Artifact> out = new ArrayList<>();
        for (Path p : entries) {
            try {
                if (Files.isRegularFile(p)) {
                    out.add(new Artifact(p.getFileName().toString(), "jar", Hashes.sha256(p)));
                } else if (Files.isDirectory(p)) {
                    out.add(new Artifact(p.toAbsolutePath().normalize().toString(), "folder", folder(p)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("hashing " + p, e);
            }
        }
        return out;
    }

    static String folder(Path dir) throws IOException {
        MessageDigest d = Hashes.sha256();
        List<Path> files;
        try (Stream<Path> s = Files.walk(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            String rel = dir.relativize(f).toString().replace(File.separatorChar, '/');
            d.update((rel + "  " + Hashes.sha256(f) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(d.digest());
    }
}

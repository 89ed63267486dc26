package org.ndkkit.cli;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.ndkkit.spi.NdkProvider;

/**
 * Where providers come from: the kit's own class path plus the jars and folders given with
 * {@code --provider-path}. The CLI uses it to list and look up providers; the suite process gets
 * the same entries on its class path.
 */
public final class ProviderPath {
    private final List<Path> extra;
    private final ClassLoader loader;

    public ProviderPath(List<Path> extra) {
        this.extra = List.copyOf(extra);
        List<URL> urls = new ArrayList<>();
        for (Path p : this.extra) {
            if (!Files.exists(p)) {
                throw new NdkCli.UsageException("--provider-path " + p + " does not exist");
            }
            try {
                urls.add(p.toAbsolutePath().toUri().toURL());
            } catch (MalformedURLException e) {
                throw new NdkCli.UsageException("--provider-path " + p + ": " + e.getMessage(), e);
            }
        }
        this.loader = urls.isEmpty() ? ProviderPath.class.getClassLoader()
                : new URLClassLoader(urls.toArray(URL[]::new), ProviderPath.class.getClassLoader());
    }

    public ClassLoader loader() {
        return loader;
    }

    public List<NdkProvider> providers() {
        List<NdkProvider> out = new ArrayList<>();
        for (NdkProvider p : ServiceLoader.load(NdkProvider.class, loader)) {
            out.add(p);
        }
        return out;
    }

    /** The class path for the suite process: this CLI's own, then the extra entries. */
    public String classPath() {
        String own = System.getProperty("ndk.cli.classpath", System.getProperty("java.class.path"));
        StringBuilder b = new StringBuilder();
        for (String e : own.split(File.pathSeparator)) {
            if (!e.isBlank()) {
                b.append(b.length() == 0 ? "" : File.pathSeparator).append(Path.of(e).toAbsolutePath());
            }
        }
        extra.forEach(p -> b.append(File.pathSeparator).append(p.toAbsolutePath()));
        return b.toString();
    }
}

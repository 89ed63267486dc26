package org.ndkkit.spi;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** Finds providers on the class path with {@link ServiceLoader} and selects one by name. */
public final class Providers {
    private Providers() {
    }

    /** Every provider on the class path, in class-path order. */
    public static List<NdkProvider> all() {
        List<NdkProvider> found = new ArrayList<>();
        for (NdkProvider p : ServiceLoader.load(NdkProvider.class)) {
            found.add(p);
        }
        return found;
    }

    /**
     * The provider with this name.
     *
     * @throws IllegalArgumentException naming the providers that are available when none matches,
     *                                  or when two providers claim the name
     */
    public static NdkProvider byName(String name) {
        List<NdkProvider> all;
        try {
            all = all();
        } catch (ServiceConfigurationError e) {
            throw new IllegalArgumentException("a provider on the class path failed to load: " + e.getMessage(), e);
        }
        List<NdkProvider> matching = all.stream().filter(p -> p.identity().name().equals(name)).toList();
        if (matching.size() == 1) {
            return matching.get(0);
        }
        String names = all.stream().map(p -> p.identity().name()).sorted().collect(Collectors.joining(", "));
        if (matching.isEmpty()) {
            throw new IllegalArgumentException("no provider named '" + name + "'; available: "
                    + (names.isEmpty() ? "(none)" : names));
        }
        throw new IllegalArgumentException("more than one provider is named '" + name + "': "
                + matching.stream().map(p -> p.getClass().getName()).collect(Collectors.joining(", ")));
    }
}

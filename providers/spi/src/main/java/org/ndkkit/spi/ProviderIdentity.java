package org.ndkkit.spi;

import java.util.Objects;

/**
 * Who a provider is, as it appears in every report.
 *
 * @param name        the name the kit selects it by ({@code --provider NAME}); lower case, no spaces
 * @param version     the provider's own version string
 * @param vendor      who builds it
 * @param description one line on what it runs on
 */
public record ProviderIdentity(String name, String version, String vendor, String description) {
    public ProviderIdentity {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        if (!name.matches("[a-z0-9][a-z0-9._-]*")) {
            throw new IllegalArgumentException("provider name must be lower-case letters, digits, '.', '_' or '-': " + name);
        }
    }
}

package org.ndkkit.cli.model;

/**
 * The kit's own finding from probing the provider: what it declares against what it does.
 *
 * @param id       stable id, e.g. {@code max-caller-data}
 * @param subject  what was probed, e.g. {@code MaxCallerData (local adapter)}
 * @param severity {@code error} (declared but not delivered), {@code warning} (delivered beyond what is
 *                 declared, or could not be checked although declared), {@code info}, or {@code ok}
 * @param declared what the provider declares
 * @param observed what the kit observed
 * @param detail   one or two sentences for a person
 */
public record Finding(String id, String subject, String severity, String declared, String observed, String detail) {
    public static final String OK = "ok";
    public static final String INFO = "info";
    public static final String WARNING = "warning";
    public static final String ERROR = "error";

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isMismatch() {
        return severity.equals(ERROR) || severity.equals(WARNING);
    }
}

package org.ndkkit.cli;

/** The CLI's exit codes (see --help). */
public final class ExitCodes {
    /** Certified (certification), no new failures (regression), bundle intact (verify), or done (list). */
    public static final int OK = 0;
    /** Not certified, new failures, or a rejected bundle. */
    public static final int FAILURES = 1;
    /** The environment could not host the run, or the command line or an input file is wrong. */
    public static final int ENVIRONMENT_OR_USAGE = 2;

    private ExitCodes() {
    }
}

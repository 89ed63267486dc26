package org.ndkkit.cli;

import org.ndkkit.cli.eval.Certification;

/** The CLI's exit codes (see --help and cli/README.md). */
public final class ExitCodes {
    /** Certified without any waiver (certification), no new failures (regression), bundle intact (verify), or done (list). */
    public static final int OK = 0;
    /** Not certified, new failures, or a rejected bundle. */
    public static final int FAILURES = 1;
    /** The environment could not host the run, or the command line or an input file is wrong. */
    public static final int ENVIRONMENT_OR_USAGE = 2;
    /** Certification: certified, but only because waivers or kit known defects covered some scenarios. */
    public static final int CERTIFIED_WITH_WAIVERS = 3;
    /** Certification: a run narrowed with --tags and without failures; never a certification. */
    public static final int INCOMPLETE = 4;

    private ExitCodes() {
    }

    /** The exit code of a certification-profile run with this status. */
    public static int forCertification(String status) {
        return switch (status) {
            case Certification.CERTIFIED -> OK;
            case Certification.NOT_CERTIFIED -> FAILURES;
            case Certification.CERTIFIED_WITH_WAIVERS -> CERTIFIED_WITH_WAIVERS;
            case Certification.INCOMPLETE -> INCOMPLETE;
            case Certification.ENVIRONMENT_ERROR -> ENVIRONMENT_OR_USAGE;
            default -> throw new IllegalArgumentException("unknown certification status '" + status + "'");
        };
    }
}

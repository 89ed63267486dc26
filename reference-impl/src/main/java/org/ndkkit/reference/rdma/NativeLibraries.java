package org.ndkkit.reference.rdma;

import java.util.Optional;

/**
 * Loads librdmacm.so.1, libibverbs.so.1 and libc once, and turns a failure to load into a value
 * instead of an {@link UnsatisfiedLinkError} / {@link NoClassDefFoundError} escaping from the
 * first native call.
 *
 * <p>Loading a library is not the same as having RDMA: on a host without an RDMA device both
 * libraries load, and {@code rdma_create_event_channel()} then fails with {@code ENODEV}.
 */
public final class NativeLibraries {
    private NativeLibraries() {
    }

    private static final class RdmaCmHolder {
        static final String PROBLEM = load(() -> LibRdmaCm.class, LibRdmaCm.LIBRARY);
    }

    private static final class IbverbsHolder {
        static final String PROBLEM = load(() -> LibIbverbs.class, LibIbverbs.LIBRARY);
    }

    private static final class LibCHolder {
        static final String PROBLEM = load(() -> LibC.class, "libc");
    }

    private interface ClassRef {
        Class<?> get();
    }

    private static String load(ClassRef ref, String library) {
        try {
            // Forces the static initializer, i.e. Native.register(...).
            Class.forName(ref.get().getName(), true, NativeLibraries.class.getClassLoader());
            return null;
        } catch (LinkageError | ClassNotFoundException | RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return "cannot load " + library + ": " + concise(cause)
                    + " (install the Debian packages librdmacm1 and libibverbs1, plus "
                    + "ibverbs-providers for a device driver such as rdma_rxe's)";
        }
    }

    /**
     * JNA's message without its list of the class path it searched for a bundled copy (it never
     * bundles rdma-core), one line per place the system loader tried.
     */
    static String concise(Throwable cause) {
        String m = String.valueOf(cause.getMessage())
                .replaceAll("(?s)\\s*Native library \\([^)]*\\) not found in resource path \\(.*?\\)", "");
        return cause.getClass().getSimpleName() + ": " + String.join("; ", m.strip().split("\\R")).replace(":; ", ": ");
    }

    /** Empty if librdmacm.so.1 is loaded and all its mapped symbols resolved; else why not. */
    public static Optional<String> rdmacmProblem() {
        return Optional.ofNullable(RdmaCmHolder.PROBLEM);
    }

    /** Empty if libibverbs.so.1 is loaded and all its mapped symbols resolved; else why not. */
    public static Optional<String> ibverbsProblem() {
        return Optional.ofNullable(IbverbsHolder.PROBLEM);
    }

    /** Empty if the libc functions (poll, fcntl) are bound; else why not. */
    public static Optional<String> libcProblem() {
        return Optional.ofNullable(LibCHolder.PROBLEM);
    }

    /** True if every native library of the binding layer loaded. */
    public static boolean allLoaded() {
        return rdmacmProblem().isEmpty() && ibverbsProblem().isEmpty() && libcProblem().isEmpty();
    }
}

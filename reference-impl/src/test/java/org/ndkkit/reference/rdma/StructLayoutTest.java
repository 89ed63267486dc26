package org.ndkkit.reference.rdma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.jna.Native;
import com.sun.jna.Structure;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fails the build on any layout slip between the JNA mappings and the installed rdma-core
 * headers.
 *
 * <p>{@code src/test/c/layout.c} is compiled with gcc and run; it prints {@code sizeof} and
 * {@code offsetof}/member size of every mapped field, and the value of every mapped constant.
 * Each line is compared with what JNA computes for the Java classes ({@code Structure.size()},
 * {@code fieldOffset}, the native size of the field's type). In addition every Java field
 * (also inside nested structs and unions) must be covered by some C line, every C struct must have
 * a Java mapping, and every constant in the constants classes must be printed by the probe, so
 * neither side can silently skip something.
 */
class StructLayoutTest {

    private static final String PACKAGES =
            "librdmacm-dev libibverbs-dev (and gcc), e.g. `apt-get install -y "
                    + "--no-install-recommends gcc libc6-dev librdmacm-dev libibverbs-dev`";

    /** C tag name to a fresh Java instance of its mapping. */
    private static final Map<String, Supplier<Structure>> STRUCTS = new LinkedHashMap<>();

    /**
     * C members the Java side deliberately does not map because they are other members of the
     * same (anonymous) union: they must sit at the same offset as the Java member and fit into it.
     */
    private static final Map<String, String> UNION_ALIASES = new LinkedHashMap<>();

    static {
        STRUCTS.put("sockaddr_in", SocketStructs.SockaddrIn::new);
        STRUCTS.put("sockaddr_in6", SocketStructs.SockaddrIn6::new);
        STRUCTS.put("sockaddr_storage", SocketStructs.SockaddrStorage::new);
        STRUCTS.put("pollfd", SocketStructs.PollFd::new);
        STRUCTS.put("rdma_event_channel", CmStructs.RdmaEventChannel::new);
        STRUCTS.put("rdma_ib_addr", CmStructs.RdmaIbAddr::new);
        STRUCTS.put("rdma_addr", CmStructs.RdmaAddr::new);
        STRUCTS.put("rdma_route", CmStructs.RdmaRoute::new);
        STRUCTS.put("rdma_cm_id", CmStructs.RdmaCmId::new);
        STRUCTS.put("rdma_conn_param", CmStructs.RdmaConnParam::new);
        STRUCTS.put("rdma_ud_param", CmStructs.RdmaUdParam::new);
        STRUCTS.put("rdma_cm_event", CmStructs.RdmaCmEvent::new);
        STRUCTS.put("ibv_gid", VerbsStructs.IbvGid::new);
        STRUCTS.put("ibv_global_route", VerbsStructs.IbvGlobalRoute::new);
        STRUCTS.put("ibv_ah_attr", VerbsStructs.IbvAhAttr::new);
        STRUCTS.put("ibv_qp_cap", VerbsStructs.IbvQpCap::new);
        STRUCTS.put("ibv_qp_init_attr", VerbsStructs.IbvQpInitAttr::new);
        STRUCTS.put("ibv_qp_attr", VerbsStructs.IbvQpAttr::new);
        STRUCTS.put("ibv_device_attr", VerbsStructs.IbvDeviceAttr::new);
        STRUCTS.put("ibv_port_attr", VerbsStructs.IbvPortAttr::new);
        STRUCTS.put("ibv_wc", VerbsStructs.IbvWc::new);
        STRUCTS.put("ibv_sge", VerbsStructs.IbvSge::new);
        STRUCTS.put("ibv_recv_wr", VerbsStructs.IbvRecvWr::new);
        STRUCTS.put("ibv_mw_bind_info", VerbsStructs.IbvMwBindInfo::new);
        STRUCTS.put("ibv_send_wr", VerbsStructs.IbvSendWr::new);
        STRUCTS.put("ibv_pd", VerbsStructs.IbvPd::new);
        STRUCTS.put("ibv_mr", VerbsStructs.IbvMr::new);
        STRUCTS.put("ibv_cq", VerbsStructs.IbvCq::new);
        STRUCTS.put("ibv_qp", VerbsStructs.IbvQp::new);
        STRUCTS.put("ibv_context_ops", VerbsStructs.IbvContextOps::new);
        STRUCTS.put("ibv_context", VerbsStructs.IbvContext::new);
        STRUCTS.put("_ibv_device_ops", VerbsStructs.IbvDeviceOps::new);
        STRUCTS.put("ibv_device", VerbsStructs.IbvDevice::new);
        STRUCTS.put("verbs_context", VerbsStructs.VerbsContext::new);

        UNION_ALIASES.put("rdma_addr.src_addr", "rdma_addr.src_storage");
        UNION_ALIASES.put("rdma_addr.src_sin", "rdma_addr.src_storage");
        UNION_ALIASES.put("rdma_addr.src_sin6", "rdma_addr.src_storage");
        UNION_ALIASES.put("rdma_addr.dst_addr", "rdma_addr.dst_storage");
        UNION_ALIASES.put("rdma_addr.dst_sin", "rdma_addr.dst_storage");
        UNION_ALIASES.put("rdma_addr.dst_sin6", "rdma_addr.dst_storage");
        UNION_ALIASES.put("ibv_wc.invalidated_rkey", "ibv_wc.imm_data");
        UNION_ALIASES.put("ibv_send_wr.invalidate_rkey", "ibv_send_wr.imm_data");
        UNION_ALIASES.put("ibv_send_wr.tso", "ibv_send_wr.bind_mw");
    }

    private record FieldFact(String path, long offset, long size) {
    }

    private static final Map<String, Long> C_SIZES = new LinkedHashMap<>();
    private static final List<FieldFact> C_FIELDS = new ArrayList<>();
    private static final Map<String, Long> C_CONSTS = new LinkedHashMap<>();

    /** A missing tool or header: a skip with the reason, unless -Dndk.require-rdma-core=true makes it a failure. */
    private static void missing(String why) {
        if (Boolean.getBoolean("ndk.require-rdma-core")) {
            fail(why);
        }
        org.junit.jupiter.api.Assumptions.abort("needs rdma-core's headers and gcc: " + why);
    }

    @BeforeAll
    static void runProbe() throws Exception {
        Path source = Path.of(System.getProperty("ndk.layout.source", "src/test/c/layout.c"));
        Path workdir = Path.of(System.getProperty("ndk.layout.workdir", "target/layout-probe"));
        if (!Files.isRegularFile(source)) {
            fail("layout probe source not found: " + source.toAbsolutePath());
        }
        Files.createDirectories(workdir);
        Path exe = workdir.resolve("layout");
        Files.deleteIfExists(exe);

        Proc cc;
        try {
            cc = run(List.of("gcc", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-o",
                    exe.toString(), source.toString()));
        } catch (IOException e) {
            // without rdma-core (a vendor's workstation) skipped with the reason; required on the full machine
            missing("gcc was not found on PATH (" + e.getMessage() + "). The layout test needs gcc "
                    + "and the rdma-core headers; install " + PACKAGES);
            return;
        }
        if (cc.exit != 0) {
            boolean headersMissing = cc.output.contains("No such file or directory");
            String hint = headersMissing
                    ? "The rdma-core development headers are missing; install " + PACKAGES
                    : "gcc could not compile the probe against the installed headers (a header "
                            + "changed, or " + PACKAGES + " are incomplete)";
            if (headersMissing) {
                missing(hint);
            }
            fail(hint + ".\ngcc said:\n" + cc.output);
        }
        Proc probe = run(List.of(exe.toString()));
        if (probe.exit != 0) {
            fail("layout probe exited with " + probe.exit + ":\n" + probe.output);
        }
        for (String line : probe.output.split("\n")) {
            String[] t = line.trim().split("\\s+");
            if (t.length == 1 && t[0].isEmpty()) {
                continue;
            }
            if (t.length == 3 && t[0].equals("const")) {
                C_CONSTS.put(t[1], Long.parseLong(t[2]));
            } else if (t.length == 2) {
                C_SIZES.put(t[0], Long.parseLong(t[1]));
            } else if (t.length == 3) {
                C_FIELDS.add(new FieldFact(t[0], Long.parseLong(t[1]), Long.parseLong(t[2])));
            } else {
                fail("unparsable probe line: " + line);
            }
        }
    }

    private record Proc(int exit, String output) {
    }

    private static Proc run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + cmd);
        }
        return new Proc(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ Java side

    private record JavaFact(long offset, long size) {
    }

    /** Resolves "struct.a.b.c" on the Java mappings; records every (class, field) it traverses. */
    private static JavaFact resolve(String path, Set<String> covered) {
        String[] seg = path.split("\\.");
        Supplier<Structure> ctor = STRUCTS.get(seg[0]);
        if (ctor == null) {
            throw new AssertionError("C struct " + seg[0] + " has no Java mapping");
        }
        Structure s = ctor.get();
        long offset = 0;
        long size = s.size();
        for (int i = 1; i < seg.length; i++) {
            Field f;
            try {
                f = s.getClass().getField(seg[i]);
            } catch (NoSuchFieldException e) {
                throw new AssertionError("no Java field " + s.getClass().getSimpleName() + "."
                        + seg[i] + " for C " + path);
            }
            covered.add(s.getClass().getName() + "#" + seg[i]);
            offset += offsetOf(s, seg[i]);
            Object value;
            try {
                value = f.get(s);
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
            size = Native.getNativeSize(f.getType(), value);
            if (i < seg.length - 1) {
                if (!(value instanceof Structure)) {
                    throw new AssertionError(path + ": " + seg[i] + " is not a struct on the "
                            + "Java side");
                }
                s = (Structure) value;
            }
        }
        return new JavaFact(offset, size);
    }

    private static int offsetOf(Structure s, String field) {
        if (s instanceof NativeStruct ns) {
            return ns.offsetOf(field);
        }
        if (s instanceof NativeUnion nu) {
            return nu.offsetOf(field);
        }
        throw new AssertionError(s.getClass() + " does not extend NativeStruct/NativeUnion");
    }

    /** Every (class, field) reachable from the registered mappings. */
    private static Set<String> allJavaFields() {
        Set<String> all = new TreeSet<>();
        Set<Class<?>> seen = new LinkedHashSet<>();
        List<Structure> todo = new ArrayList<>();
        STRUCTS.values().forEach(c -> todo.add(c.get()));
        while (!todo.isEmpty()) {
            Structure s = todo.remove(todo.size() - 1);
            if (!seen.add(s.getClass())) {
                continue;
            }
            Structure.FieldOrder order = s.getClass().getAnnotation(Structure.FieldOrder.class);
            if (order == null) {
                throw new AssertionError(s.getClass() + " has no @FieldOrder");
            }
            for (String name : order.value()) {
                all.add(s.getClass().getName() + "#" + name);
                try {
                    Object v = s.getClass().getField(name).get(s);
                    if (v instanceof Structure nested) {
                        todo.add(nested);
                    }
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return all;
    }

    // ------------------------------------------------------------------ tests

    @Test
    void everyStructSizeMatchesGcc() {
        List<String> errors = new ArrayList<>();
        for (Map.Entry<String, Long> e : C_SIZES.entrySet()) {
            Supplier<Structure> ctor = STRUCTS.get(e.getKey());
            if (ctor == null) {
                errors.add("C struct " + e.getKey() + " has no Java mapping");
                continue;
            }
            long java = ctor.get().size();
            if (java != e.getValue()) {
                errors.add("sizeof(" + e.getKey() + "): gcc " + e.getValue() + ", JNA " + java);
            }
        }
        for (String name : STRUCTS.keySet()) {
            if (!C_SIZES.containsKey(name)) {
                errors.add("Java mapping " + name + " is not measured by layout.c");
            }
        }
        assertEquals(List.of(), errors, "struct sizes");
        System.out.println("[layout] " + C_SIZES.size() + " struct sizes match gcc");
    }

    @Test
    void everyFieldOffsetAndSizeMatchesGcc() {
        List<String> errors = new ArrayList<>();
        Set<String> covered = new LinkedHashSet<>();
        int checked = 0;
        for (FieldFact c : C_FIELDS) {
            String alias = UNION_ALIASES.get(c.path());
            try {
                if (alias != null) {
                    JavaFact j = resolve(alias, covered);
                    if (j.offset() != c.offset() || c.size() > j.size()) {
                        errors.add(c.path() + " (union member of " + alias + "): gcc offset "
                                + c.offset() + " size " + c.size() + ", Java member at "
                                + j.offset() + " size " + j.size());
                    }
                } else {
                    JavaFact j = resolve(c.path(), covered);
                    if (j.offset() != c.offset() || j.size() != c.size()) {
                        errors.add(c.path() + ": gcc offset " + c.offset() + " size " + c.size()
                                + ", JNA offset " + j.offset() + " size " + j.size());
                    }
                }
                checked++;
            } catch (AssertionError e) {
                errors.add(e.getMessage());
            }
        }
        Set<String> uncovered = new TreeSet<>(allJavaFields());
        uncovered.removeAll(covered);
        for (String u : uncovered) {
            errors.add("Java field " + u + " is not measured by layout.c");
        }
        assertEquals(List.of(), errors, "field layout");
        System.out.println("[layout] " + checked + " field offsets/sizes match gcc; "
                + covered.size() + " Java fields covered");
    }

    @Test
    void everyConstantMatchesTheHeaders() throws IllegalAccessException {
        List<String> errors = new ArrayList<>();
        Set<String> javaNames = new TreeSet<>();
        for (Class<?> c : List.of(CmConstants.class, VerbsConstants.class, PosixConstants.class,
                Errno.class, NetlinkConstants.class)) {
            for (Field f : c.getDeclaredFields()) {
                int m = f.getModifiers();
                if (!Modifier.isPublic(m) || !Modifier.isStatic(m) || !Modifier.isFinal(m)
                        || f.getType() != int.class) {
                    continue;
                }
                javaNames.add(f.getName());
                Long cv = C_CONSTS.get(f.getName());
                if (cv == null) {
                    errors.add(c.getSimpleName() + "." + f.getName() + " is not printed by "
                            + "layout.c");
                } else if (cv != f.getInt(null)) {
                    errors.add(f.getName() + ": header " + cv + ", Java " + f.getInt(null));
                }
            }
        }
        for (String name : C_CONSTS.keySet()) {
            if (!javaNames.contains(name)) {
                errors.add("layout.c prints " + name + " but no Java constant has that name");
            }
        }
        for (RdmaCmEventType t : RdmaCmEventType.values()) {
            if (t != RdmaCmEventType.UNKNOWN) {
                Long cv = C_CONSTS.get("RDMA_CM_EVENT_" + t.name());
                if (cv == null || cv != t.nativeValue()) {
                    errors.add("RdmaCmEventType." + t + " = " + t.nativeValue() + ", header "
                            + cv);
                }
            }
        }
        assertEquals(List.of(), errors, "constants");
        System.out.println("[layout] " + C_CONSTS.size() + " constants match the headers");
    }

    /** The offsets the safety layer derives (ops pointers, verbs_context, rdma_get_*_addr). */
    @Test
    void derivedOffsetsMatchGcc() {
        Map<String, FieldFact> c = new LinkedHashMap<>();
        C_FIELDS.forEach(f -> c.put(f.path(), f));
        assertEquals(c.get("ibv_context.ops.poll_cq").offset(), Verbs.POLL_CQ_OFFSET);
        assertEquals(c.get("ibv_context.ops.req_notify_cq").offset(), Verbs.REQ_NOTIFY_CQ_OFFSET);
        assertEquals(c.get("ibv_context.ops.post_send").offset(), Verbs.POST_SEND_OFFSET);
        assertEquals(c.get("ibv_context.ops.post_recv").offset(), Verbs.POST_RECV_OFFSET);
        assertEquals(c.get("ibv_context.abi_compat").offset(), Verbs.ABI_COMPAT_OFFSET);
        assertEquals(c.get("verbs_context.context").offset(), Verbs.VCTX_CONTEXT_OFFSET);
        assertEquals(c.get("verbs_context.sz").offset(), Verbs.VCTX_SZ_OFFSET);
        assertEquals(c.get("verbs_context.query_port").offset(), Verbs.VCTX_QUERY_PORT_OFFSET);
        assertEquals(C_SIZES.get("verbs_context"), (long) Verbs.VCTX_SIZE);
        assertEquals(c.get("ibv_port_attr.port_cap_flags2").offset(),
                (long) Verbs.COMPAT_PORT_ATTR_SIZE, "_compat_ibv_port_attr = ibv_port_attr "
                        + "without port_cap_flags2");
        assertEquals(c.get("rdma_cm_id.route.addr.src_storage").offset(), CmId.OFF_SRC_ADDR);
        assertEquals(c.get("rdma_cm_id.route.addr.dst_storage").offset(), CmId.OFF_DST_ADDR);
        assertEquals(C_SIZES.get("sockaddr_storage"), (long) Sockaddrs.STORAGE_SIZE);
    }
}

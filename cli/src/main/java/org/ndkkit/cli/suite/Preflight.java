package org.ndkkit.cli.suite;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.ndkkit.kit.AdapterInfoJson;
import org.ndkkit.kit.KitConfig;
import org.ndkkit.kit.Lab;
import org.ndkkit.kit.Session;
import org.ndkkit.kit.Unsupported;
import org.ndkkit.kit.Violation;
import org.ndkkit.spi.Availability;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.LabCondition;
import org.ndkkit.spi.NdkProvider;
import org.ndkkit.spi.Providers;
import org.ndkkit.spi.ProviderIdentity;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.Testbed;

/**
 * Checks, in the process (and machine, or lab guest) the suite will run in, that the environment
 * can host the run, before any scenario runs: the provider loads, its testbed opens, both adapters
 * answer, the hosts have distinct usable addresses (a shared endpoint and a listener can be made on
 * them), and which lab conditions are available; and it records what the testbed says is under
 * test ({@code identity}). Every problem is an environment error, never a product failure; an
 * unavailable lab condition or an unreadable identity is only a warning (the scenarios that need
 * the condition become unsupported).
 */
public final class Preflight {
    /** Lower-case-hyphenated words, dot-separated ({@code local.firmware}, {@code driver-version}, {@code agent.host}). */
    static final Pattern IDENTITY_KEY = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*(\\.[a-z0-9]+(-[a-z0-9]+)*)*");

    private final ObjectMapper json = new ObjectMapper();
    private final ObjectNode root = json.createObjectNode();
    private final ArrayNode checks = root.putArray("checks");
    private boolean ok = true;
    /**
     * The provider's testbed is not implemented yet (TestbedNotImplementedException): preflight
     * status {@value #NOT_IMPLEMENTED}, and the suite still runs so that every scenario is reported
     * unsupported with the provider's reason.
     */
    private boolean notImplemented;
    public static final String NOT_IMPLEMENTED = Session.NOT_IMPLEMENTED;

    /**
     * Whether a preflight of this status lets the suite run: {@code ok}, and {@code not-implemented}
     * (a provider skeleton, whose scenarios all end unsupported); anything else is an environment error.
     */
    public static boolean suiteRuns(String status) {
        return "ok".equals(status) || NOT_IMPLEMENTED.equals(status);
    }

    public static ObjectNode run(KitConfig config) {
        Preflight p = new Preflight();
        p.doRun(config);
        p.root.put("status", !p.ok ? "failed" : p.notImplemented ? NOT_IMPLEMENTED : "ok");
        return p.root;
    }

    private void check(String name, String status, String detail) {
        ObjectNode c = checks.addObject();
        c.put("name", name);
        c.put("status", status);
        c.put("detail", detail);
        if (status.equals("error")) {
            ok = false;
        }
    }

    private void doRun(KitConfig config) {
        ObjectNode provider = root.putObject("provider");
        provider.put("name", config.providerName());
        ObjectNode settings = provider.putObject("settings");
        config.providerSettings().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> settings.put(e.getKey(), e.getValue()));
        NdkProvider p;
        try {
            p = Providers.byName(config.providerName());
        } catch (RuntimeException | LinkageError e) {
            check("provider-loads", "error", message(e));
            return;
        }
        ProviderIdentity id = p.identity();
        provider.put("version", id.version());
        provider.put("vendor", id.vendor());
        provider.put("description", id.description());
        provider.put("class", p.getClass().getName());
        var src = p.getClass().getProtectionDomain().getCodeSource();
        provider.put("codeSource", src == null || src.getLocation() == null ? null : src.getLocation().toString());
        ArrayNode caps = provider.putArray("capabilities");
        p.capabilities().stream().map(Enum::name).sorted().forEach(caps::add);
        check("provider-loads", "ok", id.name() + " " + id.version() + " (" + id.vendor() + ") from " + p.getClass().getName());

        Session session;
        try {
            session = Session.get();
        } catch (Unsupported e) {
            if (!Session.NOT_IMPLEMENTED.equals(e.reasonCode())) {
                throw e;
            }
            // A provider skeleton: not an environment problem. The suite runs, and every
            // scenario ends unsupported with this reason.
            check("testbed-opens", NOT_IMPLEMENTED, e.getMessage());
            notImplemented = true;
            return;
        } catch (RuntimeException | LinkageError e) {
            check("testbed-opens", "error", message(e));
            return;
        }
        check("testbed-opens", "ok", "connect timeout " + session.testbed().connectTimeout().toMillis() + " ms");
        // An opened provider may say more about itself (remote: the provider its agent serves).
        ProviderIdentity opened = session.provider().identity();
        provider.put("version", opened.version());
        provider.put("vendor", opened.vendor());
        provider.put("description", opened.description());
        caps.removeAll();
        session.provider().capabilities().stream().map(Enum::name).sorted().forEach(caps::add);
        ObjectNode info = root.putObject("adapterInfo");
        info.set("local", AdapterInfoJson.of(json, session.info(Host.LOCAL)));
        info.set("peer", AdapterInfoJson.of(json, session.info(Host.PEER)));
        check("adapters-answer", "ok", "NdkQueryAdapterInfo answered on both hosts (local MaxCallerData "
                + Integer.toUnsignedString(session.info(Host.LOCAL).maxCallerData()) + ", MaxInboundReadLimit "
                + Integer.toUnsignedString(session.info(Host.LOCAL).maxInboundReadLimit()) + ")");

        Testbed tb = session.testbed();
        readIdentity(tb, config.timeout());

        ObjectNode addrs = root.putObject("addresses");
        List<InetAddress> local;
        List<InetAddress> peer;
        try {
            local = tb.addresses(Host.LOCAL);
            peer = tb.addresses(Host.PEER);
        } catch (RuntimeException e) {
            check("addresses", "error", "the testbed could not list its addresses: " + message(e));
            return;
        }
        addrs.set("local", json.valueToTree(local.stream().map(InetAddress::getHostAddress).toList()));
        addrs.set("peer", json.valueToTree(peer.stream().map(InetAddress::getHostAddress).toList()));
        Set<InetAddress> both = new HashSet<>(local);
        both.retainAll(peer);
        if (local.isEmpty() || peer.isEmpty()) {
            check("addresses", "error", "the testbed offers " + local.size() + " local and " + peer.size()
                    + " peer address(es); each host needs at least one");
            return;
        }
        if (!both.isEmpty()) {
            check("addresses", "error", "the hosts share address(es) " + both + "; their addresses must be distinct");
            return;
        }
        check("addresses", "ok", local.size() + " local, " + peer.size() + " peer");

        Lab lab = new Lab(session);
        List<String> problems = new ArrayList<>();
        try {
            lab.newSharedEndpoint("preflight-SE", SockAddr.of(local.get(0), 0));
            lab.newListener("preflight-L", Host.PEER, SockAddr.of(peer.get(0), 0));
        } catch (RuntimeException | AssertionError e) {
            problems.add(firstLine(message(e)));
        } finally {
            try {
                for (Violation v : lab.closeEverythingAndCheck()) {
                    problems.add(v.toString());
                }
            } catch (RuntimeException | AssertionError e) {
                problems.add("closing: " + firstLine(message(e)));
            }
        }
        if (problems.isEmpty()) {
            check("addresses-usable", "ok", "a shared endpoint on " + local.get(0).getHostAddress()
                    + " and a listener on " + peer.get(0).getHostAddress() + " were created and closed");
        } else {
            check("addresses-usable", "error", String.join("; ", problems));
        }

        ObjectNode conds = root.putObject("labConditions");
        for (LabCondition c : LabCondition.values()) {
            conds.set(c.name(), availability(() -> tb.address(c)));
        }
        conds.set("LISTENER_BACKLOG", availability(tb::listenerBacklog));
        List<String> missing = new ArrayList<>();
        conds.fields().forEachRemaining(e -> {
            if (!e.getValue().path("available").asBoolean()) {
                missing.add(e.getKey() + " (" + e.getValue().path("reasonCode").asText() + ")");
            }
        });
        check("lab-conditions", missing.isEmpty() ? "ok" : "warning", missing.isEmpty()
                ? "every lab condition is available (resource exhaustion is not tried here)"
                : "unavailable: " + String.join(", ", missing) + "; scenarios that need them will be unsupported");
    }

    /**
     * {@code identity}: what the testbed says is under test ({@link Testbed#identity()}), keys sorted,
     * as preflight.json's {@code identity} (an empty object when it says nothing or cannot say). The
     * call is bounded by the run's timeout, on a thread of its own: an identity() that throws or
     * never returns is a warning, never a failed or hung preflight.
     */
    void readIdentity(Testbed tb, Duration bound) {
        ObjectNode into = root.putObject("identity");
        FutureTask<Map<String, String>> call = new FutureTask<>(tb::identity);
        Thread t = new Thread(call, "ndk-preflight-identity");
        t.setDaemon(true);
        t.start();
        Map<String, String> facts;
        try {
            facts = call.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            t.interrupt();
            check("identity", "warning", "Testbed.identity() had not returned after " + bound.toMillis()
                    + " ms; no identity recorded");
            return;
        } catch (ExecutionException e) {
            check("identity", "warning", "Testbed.identity() failed: " + firstLine(message(e.getCause()))
                    + "; no identity recorded");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            check("identity", "warning", "interrupted while reading Testbed.identity(); no identity recorded");
            return;
        }
        if (facts == null) {
            check("identity", "warning", "Testbed.identity() returned null instead of a map; no identity recorded");
            return;
        }
        Map<String, String> sorted = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        try {
            facts.forEach((k, v) -> {
                if (k == null || v == null) {
                    problems.add(k == null ? "a null key (left out)" : k + " has no value (left out)");
                    return;
                }
                if (!IDENTITY_KEY.matcher(k).matches()) {
                    problems.add(k + " is not lower-case-hyphenated");
                }
                if (v.contains("\n") || v.contains("\r")) {
                    problems.add(k + " is not a single line");
                }
                sorted.put(k, v);
            });
        } catch (RuntimeException e) {
            check("identity", "warning", "reading the map Testbed.identity() returned failed: " + firstLine(message(e))
                    + "; no identity recorded");
            return;
        }
        sorted.forEach(into::put);
        String detail = sorted.isEmpty() ? "the provider declares none"
                : sorted.size() + (sorted.size() == 1 ? " fact: " : " facts: ") + String.join(", ", sorted.keySet());
        check("identity", problems.isEmpty() ? "ok" : "warning", problems.isEmpty() ? detail
                : detail + "; " + String.join("; ", problems));
    }

    /** The identity part of a preflight alone ({@code identity} and its check), for tests. */
    static ObjectNode identityOnly(Testbed tb, Duration bound) {
        Preflight p = new Preflight();
        p.readIdentity(tb, bound);
        return p.root;
    }

    /** preflight.json's {@code identity} (an empty map when absent): what the testbed said is under test, by key. */
    public static Map<String, String> identityOf(JsonNode preflight) {
        Map<String, String> out = new TreeMap<>();
        if (preflight != null) {
            preflight.path("identity").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        }
        return out;
    }

    /** NDK's ULONG fields are Java ints with unsigned meaning: show them as the unsigned numbers they are. */
    private ObjectNode availability(java.util.function.Supplier<Availability<?>> a) {
        ObjectNode n = json.createObjectNode();
        try {
            Availability<?> v = a.get();
            n.put("available", v.isAvailable());
            if (v.isAvailable()) {
                n.put("value", String.valueOf(v.get()));
            } else {
                n.put("reasonCode", v.reasonCode());
                n.put("detail", v.detail());
            }
        } catch (RuntimeException e) {
            n.put("available", false);
            n.put("reasonCode", "testbed-error");
            n.put("detail", message(e));
        }
        return n;
    }

    static String message(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    static String firstLine(String s) {
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }
}

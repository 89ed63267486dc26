package org.ndkkit.specsite;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ndkkit.kit.LimitExpression;
import org.ndkkit.spi.AdapterInfo;
import org.ndkkit.specsite.SiteData.AdapterPair;
import org.ndkkit.specsite.SiteData.Maxima;
import org.ndkkit.specsite.SpecModel.Runnable;

/**
 * The read-limit rules as formulas, worked through the read-limit scenarios' own steps and example
 * rows: the values a scenario asks for and expects are read from its text (after the outline's
 * example row is filled in) and evaluated for a concrete adapter pair with the kit's own
 * {@link LimitExpression}; the formulas then compute the effective values independently and must
 * agree, or the build fails.
 *
 * <pre>
 *   effective inbound  = min(own InboundReadLimit,  MaxInboundReadLimit,  min(peer's OutboundReadLimit, peer's MaxOutboundReadLimit))
 *   effective outbound = min(own OutboundReadLimit, MaxOutboundReadLimit, min(peer's InboundReadLimit,  peer's MaxInboundReadLimit))
 *   passive side, before its accept (LIM-PASSIVE-VIEW accepts either reading):
 *     capped:  inbound  = min(peer's MaxInboundReadLimit,  min(active OutboundReadLimit, MaxOutboundReadLimit))
 *              outbound = min(peer's MaxOutboundReadLimit, min(active InboundReadLimit,  MaxInboundReadLimit))
 *     as sent: inbound  = min(active OutboundReadLimit, MaxOutboundReadLimit)
 *              outbound = min(active InboundReadLimit,  MaxInboundReadLimit)
 * </pre>
 */
final class ReadLimits {
    private static final Pattern CONNECT = Pattern.compile("(\\S+) connects through \\S+ to \\S+ with inbound read limit (.+) and outbound read limit (.+)");
    private static final Pattern ACCEPT = Pattern.compile("the peer accepts the request on \\S+ as (\\S+) with inbound read limit (.+) and outbound read limit (.+)");
    private static final Pattern AT_LEAST = Pattern.compile("((?:the peer's )?Max(?:In|Out)boundReadLimit) is at least (.+)");
    private static final Pattern READS_ONE = Pattern.compile("(\\S+) reads an effective (inbound|outbound) read limit of (.+)");
    private static final Pattern READS_EITHER = Pattern.compile("(\\S+) reads inbound read limit (.+) and outbound read limit (.+), "
            + "or inbound read limit (.+) and outbound read limit (.+)");
    /** A value the scenario draws at run time ({@code DrawSteps}); the site works it at its range's midpoint. */
    private static final Pattern DRAWN = Pattern.compile("the [a-z' -]+? ([A-Z]{1,4}[0-9]?) is an? (?:(?:odd|even) )?number drawn from (.+) to (.+)");
    private static final Pattern READS_BOTH = Pattern.compile("(\\S+) reads inbound read limit (.+) and outbound read limit (.+)");

    /** A value as the scenario writes it and as it evaluates for the pair. */
    record Value(String text, long value) {
    }

    /**
     * One expected value: who reads it, which direction, and the formula worked out; for a step
     * that allows two readings, the second expected value and its formula too.
     */
    record Check(String reader, boolean active, String direction, Value expected, String work, long computed,
                 Value alternative, long computedAlternative) {
        boolean agrees() {
            return expected.value() == computed && (alternative == null || alternative.value() == computedAlternative);
        }
    }

    /** One scenario (example row) worked with one adapter pair. */
    record Worked(Runnable scenario, AdapterPair pair, Value ownIn, Value ownOut, Value peerIn, Value peerOut,
                  List<Check> checks) {
    }

    private ReadLimits() {
    }

    static AdapterInfo adapter(Maxima m) {
        return new AdapterInfo(1, 2, 0, 0, 0, 0, 16, 1, 1, 1, 0, 0, (int) m.inbound(), (int) m.outbound(), 1, 1, 0, 1, 0,
                0, 0, 0, null);
    }

    /**
     * Every scenario of a read-limit clause worked with every pair that meets its preconditions.
     * Throws when a scenario cannot be read (its steps changed shape) or a formula disagrees with it.
     */
    static List<Worked> work(List<Runnable> runnables, List<AdapterPair> pairs) {
        List<Worked> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Runnable r : runnables) {
            if (r.clauses().stream().noneMatch(c -> c.startsWith("LIM-"))) {
                continue;
            }
            int before = out.size();
            for (AdapterPair pair : pairs) {
                Worked w = work(r, pair);
                if (w != null) {
                    out.add(w);
                    w.checks().stream().filter(c -> !c.agrees()).forEach(c -> problems.add(r.id() + " with pair " + pair.name()
                            + ": the scenario expects " + c.reader() + " to read " + c.direction() + " " + c.expected().text()
                            + " = " + c.expected().value() + ", the formula gives " + c.work()));
                }
            }
            if (out.size() == before) {
                problems.add(r.id() + ": no adapter pair of read-limits.yaml meets the scenario's preconditions");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("read-limit examples:\n  " + String.join("\n  ", problems));
        }
        return out;
    }

    /** The scenario worked with one pair; null when the pair does not meet its preconditions. */
    static Worked work(Runnable r, AdapterPair pair) {
        AdapterInfo local = adapter(pair.local());
        AdapterInfo peer = adapter(pair.peer());
        Value ownIn = null;
        Value ownOut = null;
        Value peerIn = null;
        Value peerOut = null;
        String active = null;
        List<String[]> expectations = new ArrayList<>();
        java.util.Map<String, Long> drawn = new java.util.HashMap<>();
        for (String step : r.steps()) {
            Matcher m;
            if ((m = DRAWN.matcher(step)).matches()) {
                long lo = value(m.group(2), local, peer, drawn).value();
                long hi = value(m.group(3), local, peer, drawn).value();
                drawn.put(m.group(1), lo + (hi - lo) / 2);
            } else if ((m = AT_LEAST.matcher(step)).matches()) {
                if (value(m.group(1), local, peer, drawn).value() < value(m.group(2), local, peer, drawn).value()) {
                    return null;
                }
            } else if ((m = CONNECT.matcher(step)).matches()) {
                active = m.group(1);
                ownIn = value(m.group(2), local, peer, drawn);
                ownOut = value(m.group(3), local, peer, drawn);
            } else if ((m = ACCEPT.matcher(step)).matches()) {
                peerIn = value(m.group(2), local, peer, drawn);
                peerOut = value(m.group(3), local, peer, drawn);
            } else if ((m = READS_ONE.matcher(step)).matches()) {
                expectations.add(new String[] {m.group(1), m.group(2), m.group(3)});
            } else if ((m = READS_EITHER.matcher(step)).matches()) {
                expectations.add(new String[] {m.group(1), "inbound", m.group(2), m.group(4)});
                expectations.add(new String[] {m.group(1), "outbound", m.group(3), m.group(5)});
            } else if ((m = READS_BOTH.matcher(step)).matches()) {
                expectations.add(new String[] {m.group(1), "inbound", m.group(2)});
                expectations.add(new String[] {m.group(1), "outbound", m.group(3)});
            }
        }
        if (ownIn == null || expectations.isEmpty()) {
            throw new IllegalStateException(r.id() + ": a read-limit scenario needs a connect with read limits and an "
                    + "expected read limit; its steps changed shape (see ReadLimits)");
        }
        List<Check> checks = new ArrayList<>();
        for (String[] e : expectations) {
            boolean isActive = e[0].equals(active);
            boolean inbound = e[1].equals("inbound");
            String[] work = isActive ? activeSide(inbound, ownIn, ownOut, peerIn, peerOut, pair, r)
                    : passiveSide(inbound, ownIn, ownOut, pair);
            Value alternative = null;
            long computedAlternative = 0;
            if (e.length > 3) {
                if (isActive) {
                    throw new IllegalStateException(r.id() + ": only the passive side's view has two readings");
                }
                alternative = value(e[3], local, peer, drawn);
                String[] asSent = passiveAsSent(inbound, ownIn, ownOut, pair);
                work = new String[] {work[0] + "; as sent: " + asSent[0], work[1]};
                computedAlternative = Long.parseLong(asSent[1]);
            }
            checks.add(new Check(e[0], isActive, e[1], value(e[2], local, peer, drawn), work[0], Long.parseLong(work[1]),
                    alternative, computedAlternative));
        }
        return new Worked(r, pair, ownIn, ownOut, peerIn, peerOut, checks);
    }

    /** {work shown, result}: effective = min(own, own max, min(peer's opposite, peer's opposite max)). */
    private static String[] activeSide(boolean inbound, Value ownIn, Value ownOut, Value peerIn, Value peerOut,
                                       AdapterPair pair, Runnable r) {
        if (peerIn == null) {
            throw new IllegalStateException(r.id() + ": the active side's effective limits need the peer's accept");
        }
        long own = inbound ? ownIn.value() : ownOut.value();
        long max = inbound ? pair.local().inbound() : pair.local().outbound();
        long peers = inbound ? peerOut.value() : peerIn.value();
        long peersMax = inbound ? pair.peer().outbound() : pair.peer().inbound();
        long result = Math.min(Math.min(own, max), Math.min(peers, peersMax));
        return new String[] {"min(" + own + ", " + max + ", min(" + peers + ", " + peersMax + ")) = " + result, Long.toString(result)};
    }

    /** Before its accept the passive side sees the active side's offer, mirrored and capped by both adapters. */
    private static String[] passiveSide(boolean inbound, Value ownIn, Value ownOut, AdapterPair pair) {
        long peersMax = inbound ? pair.peer().inbound() : pair.peer().outbound();
        long offer = inbound ? ownOut.value() : ownIn.value();
        long offerMax = inbound ? pair.local().outbound() : pair.local().inbound();
        long result = Math.min(peersMax, Math.min(offer, offerMax));
        return new String[] {"min(" + peersMax + ", min(" + offer + ", " + offerMax + ")) = " + result, Long.toString(result)};
    }

    /** The other reading: the active side's offer mirrored as it sent it, capped by its own adapter only. */
    private static String[] passiveAsSent(boolean inbound, Value ownIn, Value ownOut, AdapterPair pair) {
        long offer = inbound ? ownOut.value() : ownIn.value();
        long offerMax = inbound ? pair.local().outbound() : pair.local().inbound();
        long result = Math.min(offer, offerMax);
        return new String[] {"min(" + offer + ", " + offerMax + ") = " + result, Long.toString(result)};
    }

    /** A drawn name shows the value it is worked at, so the page's arithmetic can be followed. */
    private static Value value(String text, AdapterInfo local, AdapterInfo peer, java.util.Map<String, Long> drawn) {
        long v = LimitExpression.evaluate(text, local, peer, drawn);
        String shown = drawn.containsKey(text.trim()) ? text.trim() + " (drawn; worked at its range's midpoint)" : text;
        return new Value(shown, v);
    }
}

package org.ndkkit.specsite;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.ndkkit.kit.ClauseCatalogue;
import org.ndkkit.kit.ClauseCatalogue.Clause;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.specsite.SpecModel.Runnable;
import org.ndkkit.steps.ParameterTypes;

/**
 * Which function returns which NTSTATUS on which path, read from the steps of the scenarios
 * themselves so the table cannot drift from what the suite checks.
 *
 * <p>Each outcome step of the features has one phrase shape (they are the step definitions'
 * Cucumber expressions); {@link #PHRASES} says per shape which function it judges and on which
 * path the kit accepts the status. A step that names a status but matches no phrase fails the
 * build, so a new outcome step has to be placed here before the site renders.
 */
final class StatusCodes {

    /** The path on which the kit accepts a status. */
    enum Path {
        INLINE("inline"), ASYNC("through the completion"), EITHER("inline or through the completion");

        final String text;

        Path(String text) {
            this.text = text;
        }
    }

    /** One status a scenario's step requires. {@code status} is null for "a provider-defined error". */
    record Use(NtStatus status, String function, Path path, Runnable scenario, String step) {
    }

    /** One row: a status, one function, and where the features require it. */
    record Row(NtStatus status, String function, Set<Path> paths, Set<String> requiredBy, Set<String> alsoIn,
               List<String> scenarios) {
        String name() {
            return status == null ? "any error (provider-defined)" : status.name();
        }

        String hex() {
            return status == null ? "NT_ERROR" : status.hex();
        }
    }

    /** A phrase shape; {@code judge} turns its match (and the step before it) into uses. */
    private record Phrase(Pattern pattern, Judge judge) {
    }

    @FunctionalInterface
    private interface Judge {
        List<Use> uses(Matcher m, String previous, Runnable r, String step);
    }

    private static final ParameterTypes VOCABULARY = new ParameterTypes();
    private static final String CREATES = "NdkCreatePd, NdkCreateCq, NdkCreateQp, NdkCreateConnector, "
            + "NdkCreateSharedEndpoint, NdkCreateListener";

    /** The connector requests of "the connect of C1 ..." map to functions as the steps map them. */
    private static String request(String word) {
        return VOCABULARY.request(word);
    }

    private static final List<Phrase> PHRASES = List.of(
            // Asynchronous requests: the steps accept the status inline or through the completion.
            phrase("the (connect|accept|complete-connect|disconnect) of \\S+ succeeds",
                    m -> one(NtStatus.SUCCESS, request(m.group(1)), Path.EITHER)),
            phrase("the (connect|accept|complete-connect|disconnect) of \\S+ fails with (STATUS_[A-Z_]+)",
                    m -> one(NtStatus.named(m.group(2)), request(m.group(1)), Path.EITHER)),
            phrase("the (connect|accept|complete-connect|disconnect) of \\S+ fails with (STATUS_[A-Z_]+) or (STATUS_[A-Z_]+)",
                    m -> List.of(use(NtStatus.named(m.group(2)), request(m.group(1)), Path.EITHER),
                            use(NtStatus.named(m.group(3)), request(m.group(1)), Path.EITHER))),
            phrase("the connect of \\S+ fails with (STATUS_[A-Z_]+) or (STATUS_[A-Z_]+) within the connect timeout",
                    m -> List.of(use(NtStatus.named(m.group(1)), "NdkConnectWithSharedEndpoint", Path.EITHER),
                            use(NtStatus.named(m.group(2)), "NdkConnectWithSharedEndpoint", Path.EITHER))),
            phrase("every connect of the batch ended with (STATUS_[A-Z_]+) or a retryable status within the connect timeout",
                    m -> java.util.stream.Stream.concat(java.util.stream.Stream.of(NtStatus.named(m.group(1))),
                                    org.ndkkit.steps.NetworkSteps.RETRYABLE.stream().sorted(java.util.Comparator.comparing(NtStatus::name)))
                            .map(st -> use(st, "NdkConnectWithSharedEndpoint", Path.EITHER)).toList()),
            phrase("the (connect|accept|complete-connect|disconnect) of \\S+ fails with a provider-defined error",
                    m -> one(null, request(m.group(1)), Path.EITHER)),
            phrase("the dedicated connect of \\S+ fails with (STATUS_[A-Z_]+)",
                    m -> one(NtStatus.named(m.group(1)), "NdkConnect", Path.EITHER)),
            phrase("the creation fails with (STATUS_[A-Z_]+)",
                    m -> one(NtStatus.named(m.group(1)), "NdkCreateSharedEndpoint", Path.EITHER)),
            phrase("the listen fails with (STATUS_[A-Z_]+)",
                    m -> one(NtStatus.named(m.group(1)), "NdkListen", Path.EITHER)),
            // NdkReject has no completion: its status is the return value.
            phrase("the reject returns (STATUS_[A-Z_]+)", m -> one(NtStatus.named(m.group(1)), "NdkReject", Path.INLINE)),
            phrase("the reject fails with a provider-defined error", m -> one(null, "NdkReject", Path.INLINE)),
            // "The read" is whichever synchronous read the step before it made.
            new Phrase(Pattern.compile("the read returns (STATUS_[A-Z_]+) and reports .+"), (m, previous, r, step) -> {
                String f = previous.contains("connection data") ? "NdkGetConnectionData"
                        : previous.contains("local address of") ? "NdkGetSharedEndpointLocalAddress" : null;
                if (f == null) {
                    throw new IllegalStateException(r.id() + ": cannot tell which read '" + step + "' judges (step before: '"
                            + previous + "')");
                }
                return List.of(new Use(NtStatus.named(m.group(1)), f, Path.INLINE, r, step));
            }),
            // "That create" is the create the step before it made (a CQ or QP over a limit, or any object out of resources).
            new Phrase(Pattern.compile("that create fails with (STATUS_[A-Z_]+)(?: or succeeds)?"), (m, previous, r, step) -> {
                String f = previous.contains("creates a CQ") ? "NdkCreateCq" : previous.contains("creates a QP") ? "NdkCreateQp"
                        : previous.contains("creates a PD") ? "NdkCreatePd" : previous.contains("creates a connector") ? "NdkCreateConnector"
                        : previous.contains("creates a listener") ? "NdkCreateListener" : null;
                if (f == null) {
                    throw new IllegalStateException(r.id() + ": cannot tell which create '" + step + "' judges (step before: '"
                            + previous + "')");
                }
                return List.of(new Use(NtStatus.named(m.group(1)), f, Path.EITHER, r, step));
            }),
            // The state table (states.feature): "it" is the call the step before it asked for.
            new Phrase(Pattern.compile("it returns (STATUS_[A-Z_]+)( or an error)?"), (m, previous, r, step) -> {
                String[] call = stateTableCall(previous);
                if (call == null) {
                    throw new IllegalStateException(r.id() + ": cannot tell which call '" + step + "' judges (step before: '"
                            + previous + "')");
                }
                Path path = call[1].equals("inline") ? Path.INLINE : Path.EITHER;
                List<Use> uses = new ArrayList<>();
                uses.add(new Use(NtStatus.named(m.group(1)), call[0], path, r, step));
                if (m.group(2) != null) {
                    uses.add(new Use(null, call[0], path, r, step));
                }
                return uses;
            }),
            // A close's or a create's return value is inline by definition (PENDING is a return value).
            phrase("the close of .+ returns (STATUS_[A-Z_]+)", m -> one(NtStatus.named(m.group(1)), "NdkCloseObject", Path.INLINE)),
            phrase("every close returned (STATUS_[A-Z_]+) or (STATUS_[A-Z_]+)", m -> List.of(
                    use(NtStatus.named(m.group(1)), "NdkCloseObject", Path.INLINE),
                    use(NtStatus.named(m.group(2)), "NdkCloseObject", Path.INLINE))),
            phrase("every close that returned (STATUS_[A-Z_]+) completed exactly once",
                    m -> one(NtStatus.named(m.group(1)), "NdkCloseObject", Path.INLINE)),
            phrase("every create returned (STATUS_[A-Z_]+) with the object or (STATUS_[A-Z_]+) and one completion carrying it",
                    m -> List.of(use(NtStatus.named(m.group(1)), CREATES, Path.INLINE),
                            use(NtStatus.named(m.group(2)), CREATES, Path.INLINE))));


    private static final Pattern STATE_CALL = Pattern.compile("the (connector|shared endpoint|listener), [^,]+, is asked to (.+)");

    /** {function, "inline" or "either"} for a state-table call, or null. */
    static String[] stateTableCall(String previous) {
        Matcher m = STATE_CALL.matcher(previous == null ? "" : previous);
        if (!m.matches()) {
            return null;
        }
        String object = m.group(1);
        String call = m.group(2);
        return switch (call) {
            case "accept" -> new String[] {"NdkAccept", "either"};
            case "reject" -> new String[] {"NdkReject", "inline"};
            case "complete the connection" -> new String[] {"NdkCompleteConnect", "either"};
            case "disconnect" -> new String[] {"NdkDisconnect", "either"};
            case "connect with NdkConnect", "lend its address to NdkConnect" -> new String[] {"NdkConnect", "either"};
            case "connect through a shared endpoint", "carry a connection from C2 to L", "take a connect request from C1" ->
                    new String[] {"NdkConnectWithSharedEndpoint", "either"};
            case "listen", "lend its address to a listener" -> new String[] {"NdkListen", "either"};
            case "lend its address to a new shared endpoint" -> new String[] {"NdkCreateSharedEndpoint", "either"};
            case "read its connection data" -> new String[] {"NdkGetConnectionData", "inline"};
            case "read its peer address" -> new String[] {"NdkGetPeerAddress", "inline"};
            case "read its local address" -> new String[] {switch (object) {
                case "shared endpoint" -> "NdkGetSharedEndpointLocalAddress";
                case "listener" -> "NdkGetListenerLocalAddress";
                default -> "NdkGetLocalAddress";
            }, "inline"};
            default -> null;
        };
    }

    /** A use without its scenario yet; {@link #phrase} fills that in. */
    private record Partial(NtStatus status, String function, Path path) {
    }

    private static List<Partial> one(NtStatus s, String function, Path path) {
        return List.of(new Partial(s, function, path));
    }

    private static Partial use(NtStatus s, String function, Path path) {
        return new Partial(s, function, path);
    }

    private static Phrase phrase(String regex, Function<Matcher, List<Partial>> f) {
        return new Phrase(Pattern.compile(regex), (m, previous, r, step) -> f.apply(m).stream()
                .map(p -> new Use(p.status(), p.function(), p.path(), r, step)).toList());
    }

    private StatusCodes() {
    }

    /** Every status requirement in the runnable scenarios' steps. */
    static List<Use> uses(List<Runnable> runnables) {
        List<Use> out = new ArrayList<>();
        List<String> unplaced = new ArrayList<>();
        for (Runnable r : runnables) {
            String previous = "";
            for (String step : r.steps()) {
                List<Use> found = match(step, previous, r);
                if (found == null && step.contains("STATUS_")) {
                    unplaced.add(r.id() + ": '" + step + "'");
                }
                if (found != null) {
                    out.addAll(found);
                }
                previous = step;
            }
        }
        if (!unplaced.isEmpty()) {
            throw new IllegalStateException("steps name a status in a phrase the status-code table does not know "
                    + "(add it to StatusCodes.PHRASES):\n  " + String.join("\n  ", unplaced));
        }
        return out;
    }

    private static List<Use> match(String step, String previous, Runnable r) {
        for (Phrase p : PHRASES) {
            Matcher m = p.pattern().matcher(step);
            if (m.matches()) {
                return p.judge().uses(m, previous, r, step);
            }
        }
        return null;
    }

    /**
     * One row per status and function. A clause <em>requires</em> a row's status when its rule
     * names the status and the clause is not about another function asserted with the same status
     * in the same scenario (SEQ-ACCEPT-AFTER-COMPLETE names STATUS_SUCCESS for the accept, not for
     * the connect its scenario also checks); where no clause names it (a plain "succeeds"), the
     * clauses of the function's own page do, or else every clause of the scenarios. The other
     * clauses of those scenarios are "also checked in".
     *
     * @param functionOfSource the function each source page documents (function pages only)
     */
    static List<Row> rows(List<Use> uses, ClauseCatalogue catalogue, Map<String, String> functionOfSource) {
        Map<String, List<Use>> grouped = new LinkedHashMap<>();
        uses.stream().sorted(Comparator.comparing((Use u) -> u.status() == null ? Long.MAX_VALUE : Integer.toUnsignedLong(u.status().code()))
                        .thenComparing(Use::function))
                .forEach(u -> grouped.computeIfAbsent(key(u), k -> new ArrayList<>()).add(u));
        List<Row> rows = new ArrayList<>();
        for (List<Use> g : grouped.values()) {
            Use first = g.get(0);
            List<String> functions = List.of(first.function().split(", "));
            Set<Path> paths = EnumSet.noneOf(Path.class);
            Set<String> all = new TreeSet<>();
            Set<String> naming = new TreeSet<>();
            Set<String> ownPage = new TreeSet<>();
            Set<String> scenarios = new LinkedHashSet<>();
            for (Use u : g) {
                paths.add(u.path());
                scenarios.add(u.scenario().id());
                Set<String> assertedWithCode = new TreeSet<>();
                uses.stream().filter(o -> o.scenario() == u.scenario() && key(o).startsWith(name(u) + "|"))
                        .forEach(o -> assertedWithCode.addAll(List.of(o.function().split(", "))));
                for (String id : u.scenario().clauses()) {
                    Clause c = catalogue.get(id);
                    String pageFunction = functionOfSource.get(c.sourceKey());
                    all.add(id);
                    if (pageFunction != null && functions.contains(pageFunction)) {
                        ownPage.add(id);
                    }
                    boolean otherFunctions = pageFunction != null && assertedWithCode.contains(pageFunction)
                            && !functions.contains(pageFunction);
                    if (u.status() != null && c.rule().contains(u.status().name()) && !otherFunctions) {
                        naming.add(id);
                    }
                }
            }
            Set<String> required = !naming.isEmpty() ? naming : !ownPage.isEmpty() ? ownPage : all;
            Set<String> also = new TreeSet<>(all);
            also.removeAll(required);
            rows.add(new Row(first.status(), first.function(), paths, required, also, List.copyOf(scenarios)));
        }
        return rows;
    }

    private static String name(Use u) {
        return u.status() == null ? "" : u.status().name();
    }

    private static String key(Use u) {
        return name(u) + "|" + u.function();
    }

    /**
     * Statuses a clause's rule names that no scenario step requires: a rule that promises a code
     * the suite never checks. The build refuses to render while there are any.
     */
    static List<String> unchecked(List<Use> uses, ClauseCatalogue catalogue) {
        Set<String> used = new TreeSet<>();
        uses.stream().filter(u -> u.status() != null).forEach(u -> used.add(u.status().name()));
        List<String> out = new ArrayList<>();
        Pattern p = Pattern.compile("STATUS_[A-Z_]+");
        catalogue.clauses().values().forEach(c -> {
            Matcher m = p.matcher(c.rule());
            while (m.find()) {
                if (!used.contains(m.group())) {
                    out.add(c.id() + " names " + m.group() + ", which no scenario step requires");
                }
            }
        });
        return out;
    }
}

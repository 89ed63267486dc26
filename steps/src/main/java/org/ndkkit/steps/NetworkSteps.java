package org.ndkkit.steps;

import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.ndkkit.kit.Lab;
import org.ndkkit.kit.Lab.ConnectorRef;
import org.ndkkit.kit.Outcome;
import org.ndkkit.kit.TrackedCall;
import org.ndkkit.spi.Host;
import org.ndkkit.spi.LinkFault;
import org.ndkkit.spi.LinkImpairment;
import org.ndkkit.spi.NdkConnector;
import org.ndkkit.spi.NetworkLink;
import org.ndkkit.spi.NtStatus;
import org.ndkkit.spi.SockAddr;
import org.ndkkit.spi.UlongRef;

/**
 * Faults on the link between two machines (through the testbed's {@link NetworkLink}), and
 * batches of connections over one shared endpoint that tell each connection's outcome apart even
 * when the network loses, delays or replays connect requests: every connect carries its number as
 * private data, and the peer accepts a request only for the connect it belongs to.
 */
public final class NetworkSteps {
    /**
     * The statuses after which a consumer may try the same connection again on a new connector:
     * the network or the peer did not carry this attempt through (the kit's reading; see clause
     * NET-RETRYABLE).
     */
    public static final Set<NtStatus> RETRYABLE = Set.of(NtStatus.IO_TIMEOUT, NtStatus.HOST_UNREACHABLE,
            NtStatus.NETWORK_UNREACHABLE, NtStatus.CONNECTION_REFUSED, NtStatus.CONNECTION_ABORTED,
            NtStatus.CONNECTION_RESET);
    /** What a connect may take past the provider's declared timeout: its timer and its callback's delivery. */
    static final Duration GRACE = Duration.ofSeconds(2);
    /**
     * For the final status of a request already seen done: its latch may lag the status by a
     * moment, so a zero wait could report a completion as missing.
     */
    private static final Duration DONE = Duration.ofSeconds(5);
    /**
     * How long a connection whose connect succeeded may take to become established on an impaired
     * link: rdma_cm recovers a lost RTU only when the passive side resends its REP (every ~4.6 s),
     * so at 15 percent loss a few unlucky rounds exceed a 20 s timeout (seen once in the lab).
     * Thirteen rounds make a miss by the transport's pace alone vanishingly rare; a provider that
     * never establishes still fails, a bounded minute later.
     */
    private static final Duration ESTABLISH_ON_IMPAIRED_LINK = Duration.ofSeconds(60);
    private static final int MAGIC = 0x4e444b42; // "NDKB": a batch connect's private data

    private final ScenarioState state;
    private final ConnectionSteps connection;
    private NetworkLink link;
    private final Map<String, LinkFault> faults = new LinkedHashMap<>();
    /** The batch's attempts by connection number: the latest attempt of each. */
    private final Map<Integer, Attempt> batch = new TreeMap<>();
    /** Attempts a later attempt of the same connection replaced. */
    private final List<Attempt> failedFirst = new ArrayList<>();
    private int passiveCount;

    public NetworkSteps(ScenarioState state, ConnectionSteps connection) {
        this.state = state;
        this.connection = connection;
    }

    private Lab lab() {
        return state.lab;
    }

    private Duration connectTimeout() {
        return lab().session().testbed().connectTimeout();
    }

    // ------------------------------------------------------------------ the link

    @Given("the two hosts are separate machines joined by a link the testbed can disturb")
    public void linkAvailable() {
        link = TopologySteps.available(lab().session().testbed().link());
        lab().trace().note("link: " + link);
    }

    private NetworkLink link() {
        if (link == null) {
            throw new IllegalStateException("the scenario must first say that its hosts are joined by a link the testbed can disturb");
        }
        return link;
    }

    private void make(String kind, org.ndkkit.spi.Availability<LinkFault> fault) {
        LinkFault f = TopologySteps.available(fault);
        faults.put(kind, f);
        state.linkFaults.add(f);
        lab().trace().note("link fault: " + f);
    }

    private void heal(String kind) {
        LinkFault f = faults.remove(kind);
        if (f == null) {
            throw new IllegalStateException("no " + kind + " to heal in this scenario");
        }
        f.close();
        state.linkFaults.remove(f);
        lab().trace().note("link fault healed: " + f);
    }

    @When("the link loses {int} percent of its frames")
    public void loss(int percent) {
        make("impairment", link().impair(LinkImpairment.loss(percent)));
    }

    @When("the link delays every frame by {int} ms, give or take {int} ms")
    public void delay(int ms, int jitter) {
        make("impairment", link().impair(LinkImpairment.delay(Duration.ofMillis(ms), Duration.ofMillis(jitter))));
    }

    @When("the link sends {int} percent of its frames at once and holds the rest for {int} ms")
    public void reorder(int percent, int ms) {
        make("impairment", link().impair(LinkImpairment.reorder(percent, Duration.ofMillis(ms))));
    }

    @When("the link heals")
    public void heals() {
        heal("impairment");
    }

    @When("the link goes down")
    public void down() {
        make("cut", link().cut());
    }

    @When("the link comes back up")
    public void up() {
        heal("cut");
    }

    @When("the peer machine stops")
    public void pausePeer() {
        make("pause", link().pausePeer());
    }

    @When("the peer machine runs again")
    public void resumePeer() {
        heal("pause");
    }

    @When("the peer's provider process is killed")
    public void killPeerProvider() {
        make("kill", link().killPeerProvider());
        lab().forgetPeerObjects();
    }

    @When("the peer's provider is started again")
    public void restartPeerProvider() {
        heal("kill");
    }

    // ------------------------------------------------------------------ single connects

    @Then("the connect of {name} fails with {status} or {status} within the connect timeout")
    public void eitherWithinTimeout(String c, NtStatus one, NtStatus other) {
        connection.failsWithEither("NdkConnectWithSharedEndpoint", c, one, other);
        TrackedCall t = lab().lastRequest("NdkConnectWithSharedEndpoint", c);
        String late = late(t);
        if (late != null) {
            throw lab().failure("connect of " + c + ": " + late);
        }
        lab().trace().note("connect of " + c + " ended after " + millis(t) + " ms");
    }

    @Then("the connect of {name} fails with a retryable status within the connect timeout")
    public void retryableWithinTimeout(String c) {
        TrackedCall t = lab().lastRequest("NdkConnectWithSharedEndpoint", c);
        Outcome o = connection.outcome("NdkConnectWithSharedEndpoint", c);
        String wrong = o.status().isSuccess() ? "expected a retryable status " + retryable() + ", got " + o : judge(o, t);
        if (wrong != null) {
            throw lab().failure("connect of " + c + ": " + wrong);
        }
        lab().trace().note("connect of " + c + " ended with " + o.status() + " after " + millis(t) + " ms");
    }

    /** Null when the outcome is SUCCESS or a retryable status within the timeout, otherwise what is wrong with it. */
    private String judge(Outcome o, TrackedCall t) {
        if (o.status().isSuccess()) {
            return null;
        }
        if (!RETRYABLE.contains(o.status())) {
            return "expected STATUS_SUCCESS or a retryable status " + retryable() + ", got " + o;
        }
        String late = late(t);
        return late == null ? null : o + " " + late;
    }

    private static List<String> retryable() {
        return RETRYABLE.stream().map(NtStatus::toString).sorted().toList();
    }

    /** Null when {@code t} ended within the declared connect timeout (+ grace), otherwise how late. */
    private String late(TrackedCall t) {
        long took = millis(t);
        if (took <= connectTimeout().plus(GRACE).toMillis()) {
            return null;
        }
        return "ended after " + took + " ms, past the declared connect timeout of " + connectTimeout().toMillis()
                + " ms (+" + GRACE.toMillis() + " ms for delivery)";
    }

    private static long millis(TrackedCall t) {
        return (t.doneNanos() - t.beganNanos()) / 1_000_000;
    }

    // ------------------------------------------------------------------ batches

    /** One connection of a batch: the active connector and what its requests did. */
    private static final class Attempt {
        final int number;
        final int attempt;
        final String name;
        final String listener;
        TrackedCall connect;
        String passive;
        TrackedCall accept;
        TrackedCall complete;
        String problem;

        Attempt(int number, int attempt, String name, String listener) {
            this.number = number;
            this.attempt = attempt;
            this.name = name;
            this.listener = listener;
        }

        boolean established() {
            return problem == null && complete != null && complete.isDone() && accept != null && accept.isDone()
                    && complete.await(DONE).status().isSuccess() && accept.await(DONE).status().isSuccess();
        }
    }

    @When("{int} connectors connect through {name} to as many listeners of the peer, one after another, the peer accepting each")
    public void sequential(int n, String se) {
        run(numbers(n), "N", se, 1);
    }

    @When("{int} connectors connect through {name} to as many listeners of the peer, {int} at a time, the peer accepting each")
    public void windowed(int n, String se, int window) {
        run(numbers(n), "N", se, window);
    }

    private static List<Integer> numbers(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("a batch needs at least one connection");
        }
        List<Integer> all = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            all.add(i);
        }
        return all;
    }

    /**
     * Closes the connector of each connection that is not established (so its four-tuple is free,
     * after the delay the testbed declares) and connects that connection again on a new connector
     * to the same listener.
     */
    @When("every connection of the batch that failed is tried again on a new connector")
    public void retryFailed() {
        List<Attempt> failed = batch.values().stream().filter(a -> !a.established()).toList();
        lab().trace().note("trying again: " + failed.size() + " connection(s) " + failed.stream().map(a -> a.number).toList());
        List<TrackedCall> closes = new ArrayList<>();
        for (Attempt a : failed) {
            closes.add(lab().close(a.name, lab().connector(a.name).connector()));
        }
        for (TrackedCall t : closes) {
            if (t.inline().isPending()) {
                t.await(lab().timeout());
            }
        }
        Duration release = lab().session().testbed().fourTupleReleaseDelay();
        if (!failed.isEmpty() && !release.isZero()) {
            lab().eventually(release, () -> false);
        }
        run(failed.stream().map(a -> a.number).toList(), "R", batchEndpoint, 1);
    }

    private String batchEndpoint;

    /**
     * Connects each numbered connection on a new connector to its own listener on the peer's first
     * address (one four-tuple each), at most {@code window} in flight; the peer accepts the request
     * whose private data names the attempt in flight on that listener and rejects any other (a
     * request the network delivered after its connect had already ended). Each connection ends
     * established or failed; the Then steps judge.
     */
    private void run(List<Integer> numbers, String prefix, String se, int window) {
        batchEndpoint = se;
        Deque<Integer> todo = new ArrayDeque<>(numbers);
        Map<Integer, Attempt> open = new LinkedHashMap<>();
        Duration connectBound = connectTimeout().plus(GRACE).plus(lab().timeout());
        while (!todo.isEmpty() || !open.isEmpty()) {
            // one new attempt per round, so that answering the requests in flight never waits
            // behind a whole window of creates
            if (open.size() < window && !todo.isEmpty()) {
                int k = todo.poll();
                Attempt before = batch.get(k);
                String listener = "BL" + k;
                if (before == null) {
                    lab().newListener(listener, Host.PEER, SockAddr.of(TopologySteps.address(lab(), Host.PEER, 0), 0));
                } else {
                    failedFirst.add(before);
                }
                Attempt a = new Attempt(k, before == null ? 1 : before.attempt + 1, prefix + k, listener);
                batch.put(k, a);
                lab().newConnector(a.name, Host.LOCAL);
                a.connect = connection.connect(a.name, se, lab().listener(listener).address(), maxIn(), maxOut(),
                        tag(k, a.attempt), false);
                open.put(k, a);
            }
            boolean answered = false;
            for (Attempt a : List.copyOf(open.values())) {
                NdkConnector incoming = lab().listener(a.listener).nextRequest(Duration.ZERO, "incoming");
                if (incoming != null) {
                    answer(incoming, a);
                    answered = true;
                }
            }
            for (var it = open.values().iterator(); it.hasNext(); ) {
                if (step(it.next(), connectBound)) {
                    it.remove();
                }
            }
            if (!answered && !open.isEmpty()) {
                lab().eventually(Duration.ofMillis(2), () -> false);
            }
        }
        long ok = numbers.stream().filter(k -> batch.get(k).established()).count();
        lab().trace().note(prefix + " batch of " + numbers.size() + ": " + ok + " established, " + (numbers.size() - ok) + " not");
    }

    /** Moves one attempt on; true when it has ended. */
    private boolean step(Attempt a, Duration connectBound) {
        long now = System.nanoTime();
        if (a.complete == null) {
            if (!a.connect.isDone()) {
                if (now - a.connect.beganNanos() > connectBound.toNanos()) {
                    a.problem = "no outcome within " + connectBound.toMillis() + " ms";
                    return true;
                }
                return false;
            }
            Outcome o = a.connect.await(DONE);
            if (!o.status().isSuccess()) {
                return true;
            }
            connection.completeConnect(a.name);
            a.complete = lab().lastRequest("NdkCompleteConnect", a.name);
            return false;
        }
        boolean acceptDone = a.accept != null && a.accept.isDone();
        if (a.complete.isDone() && acceptDone) {
            return true;
        }
        Duration establishBound = lab().timeout().compareTo(ESTABLISH_ON_IMPAIRED_LINK) > 0 ? lab().timeout()
                : ESTABLISH_ON_IMPAIRED_LINK;
        if (now - a.complete.beganNanos() > establishBound.toNanos()) {
            a.problem = (a.complete.isDone() ? "" : "its complete-connect did not finish")
                    + (acceptDone ? "" : (a.complete.isDone() ? "" : " and ") + "the peer's accept"
                    + (a.accept == null ? " never began: no request reached the peer" : " did not finish"))
                    + " within " + establishBound.toMillis() + " ms of the complete-connect";
            return true;
        }
        return false;
    }

    /** The peer's side: accept the request of the attempt in flight on this listener, reject anything else. */
    private void answer(NdkConnector incoming, Attempt a) {
        int[] tag = tag(incoming);
        if (tag[0] == a.number && tag[1] == a.attempt && a.accept == null && !a.connect.isDone()) {
            a.passive = "P" + a.name;
            ConnectorRef p = lab().registerPassive(a.passive, incoming);
            long in = Integer.toUnsignedLong(lab().info(Host.PEER).maxInboundReadLimit());
            long out = Integer.toUnsignedLong(lab().info(Host.PEER).maxOutboundReadLimit());
            String as = a.passive;
            a.accept = lab().request("NdkAccept(" + as + ")", as, t -> p.connector().accept(lab().qpFor(p), (int) in, (int) out,
                    null, 0, ctx -> lab().disconnectEvent(as, ctx), as, t.requestCompletion(), t.context()));
        } else {
            // late or repeated: the attempt it belongs to has ended, or has been answered
            String name = "S" + (++passiveCount);
            ConnectorRef p = lab().registerPassive(name, incoming);
            lab().trace().note(name + " on " + a.listener + " is a request of connection " + tag[0] + ", attempt " + tag[1]
                    + ", which is not waiting for one: rejected");
            lab().sync("NdkReject(" + name + ")", () -> p.connector().reject(null, 0));
        }
    }

    /** The connection number and attempt a request's private data carries; -1s when it carries none. */
    private int[] tag(NdkConnector incoming) {
        byte[] buf = new byte[64];
        UlongRef len = UlongRef.of(buf.length);
        NtStatus s = lab().sync("NdkGetConnectionData(incoming)", () -> incoming.getConnectionData(null, null, buf, len));
        ByteBuffer b = ByteBuffer.wrap(buf);
        if (!s.isSuccess() || len.unsigned() < 12 || b.getInt(0) != MAGIC) {
            return new int[] {-1, -1};
        }
        return new int[] {b.getInt(4), b.getInt(8)};
    }

    private static byte[] tag(int k, int attempt) {
        return ByteBuffer.allocate(12).putInt(MAGIC).putInt(k).putInt(attempt).array();
    }

    private long maxIn() {
        return Integer.toUnsignedLong(lab().info(Host.LOCAL).maxInboundReadLimit());
    }

    private long maxOut() {
        return Integer.toUnsignedLong(lab().info(Host.LOCAL).maxOutboundReadLimit());
    }

    // ------------------------------------------------------------------ verdicts on a batch

    @Then("every connect of the batch ended with STATUS_SUCCESS or a retryable status within the connect timeout")
    public void everyConnectWithinTimeout() {
        List<String> wrong = new ArrayList<>();
        Map<String, Integer> tally = new TreeMap<>();
        for (Attempt a : attempts()) {
            if (a.connect == null || !a.connect.isDone()) {
                wrong.add(a.name + ": " + (a.problem != null ? a.problem : "no outcome"));
                continue;
            }
            Outcome o = a.connect.await(DONE);
            tally.merge(o.status().toString(), 1, Integer::sum);
            String p = judge(o, a.connect);
            if (p != null) {
                wrong.add(a.name + ": " + p);
            }
        }
        lab().trace().note("connect outcomes: " + tally);
        if (!wrong.isEmpty()) {
            throw lab().failure(wrong.size() + " connect(s) of the batch broke the rule: " + String.join("; ", wrong));
        }
    }

    @Then("every connection of the batch whose connect succeeded is established")
    public void connectedAreEstablished() {
        List<String> wrong = attempts().stream().filter(a -> a.connect != null && a.connect.isDone()
                && a.connect.await(DONE).status().isSuccess() && !a.established())
                .map(this::why).toList();
        if (!wrong.isEmpty()) {
            throw lab().failure(wrong.size() + " connection(s) whose connect succeeded did not become established: "
                    + String.join("; ", wrong));
        }
    }

    @Then("every connection of the batch is established")
    public void allEstablished() {
        List<String> wrong = batch.values().stream().filter(a -> !a.established()).map(this::why).toList();
        if (!wrong.isEmpty()) {
            throw lab().failure(wrong.size() + " of " + batch.size() + " connections are not established: "
                    + String.join("; ", wrong.subList(0, Math.min(wrong.size(), 20))) + (wrong.size() > 20 ? "; ..." : ""));
        }
        lab().trace().note("all " + batch.size() + " connections established");
    }

    private List<Attempt> attempts() {
        List<Attempt> all = new ArrayList<>(failedFirst);
        all.addAll(batch.values());
        return all;
    }

    private String why(Attempt a) {
        if (a.problem != null) {
            return a.name + ": " + a.problem;
        }
        if (a.connect == null || !a.connect.isDone()) {
            return a.name + ": its connect has no outcome";
        }
        Outcome c = a.connect.await(DONE);
        if (!c.status().isSuccess()) {
            return a.name + ": connect " + c;
        }
        return a.name + ": complete-connect " + (a.complete == null ? "not made" : a.complete.isDone() ? a.complete.await(DONE)
                : "pending") + ", accept " + (a.accept == null ? "not made" : a.accept.isDone() ? a.accept.await(DONE) : "pending");
    }
}

package org.ndkkit.remote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.ndkkit.spi.Availability;
import org.ndkkit.spi.LinkFault;
import org.ndkkit.spi.LinkImpairment;
import org.ndkkit.spi.NetworkLink;

/**
 * The link between the two agents' machines, disturbed by a command on the kit's own machine
 * (setting {@code link-control=PATH}): the agents cannot do it themselves, since a fault on the
 * link must not cut the kit off from them. The command's contract, one verb per fault and one to
 * heal it:
 *
 * <pre>
 *   PATH impair LOSS_PERCENT DELAY_MS JITTER_MS REORDER_PERCENT   PATH heal
 *   PATH cut                                                      PATH restore
 *   PATH pause-peer                                               PATH resume-peer
 *   PATH kill-peer-provider                                       PATH restart-peer-provider
 * </pre>
 *
 * Exit 0: done (the first line of its output describes the fault); exit 3: the lab cannot make
 * this fault (the first line says why: the scenario is then unsupported); anything else, or no
 * end within the bound, is a broken lab. The two-host lab's command is {@code lab/link-control}.
 */
final class LinkControlCommand implements NetworkLink {
    static final int CANNOT = 3;
    private final String path;
    private final long boundMs;

    LinkControlCommand(String path, long boundMs) {
        this.path = path;
        this.boundMs = boundMs;
    }

    @Override
    public Availability<LinkFault> impair(LinkImpairment i) {
        return fault(List.of("impair", number(i.lossPercent()), Long.toString(i.delay().toMillis()),
                Long.toString(i.jitter().toMillis()), number(i.reorderPercent())), List.of("heal"), i.toString());
    }

    @Override
    public Availability<LinkFault> cut() {
        return fault(List.of("cut"), List.of("restore"), "link cut");
    }

    @Override
    public Availability<LinkFault> pausePeer() {
        return fault(List.of("pause-peer"), List.of("resume-peer"), "peer machine paused");
    }

    @Override
    public Availability<LinkFault> killPeerProvider() {
        return fault(List.of("kill-peer-provider"), List.of("restart-peer-provider"), "peer provider killed");
    }

    private static String number(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%.3f", d);
    }

    private Availability<LinkFault> fault(List<String> make, List<String> heal, String what) {
        Result r = run(make);
        if (r.exit == CANNOT) {
            return Availability.unavailable("link-fault-unavailable", path + " " + make.get(0) + ": "
                    + (r.firstLine.isEmpty() ? "(no reason given)" : r.firstLine));
        }
        r.check(make);
        String described = r.firstLine.isEmpty() ? what : what + " (" + r.firstLine + ")";
        AtomicBoolean healed = new AtomicBoolean();
        return Availability.of(new LinkFault() {
            @Override
            public void close() {
                if (healed.compareAndSet(false, true)) {
                    run(heal).check(heal);
                }
            }

            @Override
            public String toString() {
                return described;
            }
        });
    }

    private record Result(int exit, String firstLine, String output, String command) {
        void check(List<String> verb) {
            if (exit != 0) {
                throw new IllegalStateException("the link control " + command + " failed (exit " + exit + "): "
                        + output.strip());
            }
        }
    }

    private Result run(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(path);
        cmd.addAll(args);
        String shown = String.join(" ", cmd);
        java.nio.file.Path log = null;
        Process p = null;
        try {
            // to a file, not a pipe: a chatty command can then never block on a full pipe
            log = java.nio.file.Files.createTempFile("ndk-link-control", ".log");
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            p.getOutputStream().close(); // no input
            if (!p.waitFor(boundMs, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("the link control " + shown + " did not end within " + boundMs + " ms");
            }
            String out = java.nio.file.Files.readString(log, StandardCharsets.UTF_8);
            String first = out.strip().lines().findFirst().orElse("");
            return new Result(p.exitValue(), first, out, shown);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + shown + " ran", e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run the link control " + shown + ": " + e.getMessage(), e);
        } finally {
            if (log != null) {
                try {
                    java.nio.file.Files.deleteIfExists(log);
                } catch (IOException ignored) {
                    // a temp file left behind is harmless
                }
            }
        }
    }

    @Override
    public String toString() {
        return "link controlled by " + path;
    }
}

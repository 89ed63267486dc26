package org.ndkkit.defects;

import io.cucumber.plugin.ConcurrentEventListener;
import io.cucumber.plugin.event.EventPublisher;
import io.cucumber.plugin.event.TestCase;
import io.cucumber.plugin.event.TestCaseFinished;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.ndkkit.kit.SummaryPlugin;

/** Collects every scenario's verdict and whole failure message for the kill matrix. */
public final class MatrixPlugin implements ConcurrentEventListener {

    /** One scenario of one run. */
    public record Scenario(String id, String name, String verdict, String message) {
    }

    static final Queue<Scenario> RESULTS = new ConcurrentLinkedQueue<>();

    static List<Scenario> drain() {
        List<Scenario> l = new ArrayList<>();
        Scenario s;
        while ((s = RESULTS.poll()) != null) {
            l.add(s);
        }
        return l;
    }

    @Override
    public void setEventPublisher(EventPublisher publisher) {
        publisher.registerHandlerFor(TestCaseFinished.class, e -> {
            TestCase tc = e.getTestCase();
            String feature = Path.of(tc.getUri().getSchemeSpecificPart()).getFileName().toString();
            Throwable t = e.getResult().getError();
            RESULTS.add(new Scenario(feature + ":" + tc.getLocation().getLine(), tc.getName(),
                    SummaryPlugin.verdict(e.getResult())[0], t == null || t.getMessage() == null ? "" : t.getMessage()));
        });
    }
}

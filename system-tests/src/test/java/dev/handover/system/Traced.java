package dev.handover.system;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.handover.testing.TestInfrastructure;

/**
 * Every service the system tests start on the shared infrastructure exports its spans to one {@link TraceCollector}
 * of the test JVM: replicas started by different tests share consumer groups, so a trace is only whole when all of
 * them are traced. Registered for every test class (JUnit's extension auto-detection, junit-platform.properties),
 * before the class starts anything.
 */
public class Traced implements BeforeAllCallback {

    private static TraceCollector collector;

    /** The test JVM's collector, started with the first test class. */
    static synchronized TraceCollector collector() {
        if (collector == null) {
            collector = new TraceCollector();
            TestInfrastructure.everyService(collector.exportEnvironment());
            Runtime.getRuntime().addShutdownHook(new Thread(collector::close, "stop-trace-collector"));
        }
        return collector;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        collector();
    }
}

package dev.handover.testing;

import java.lang.management.ManagementFactory;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The test JVM's broker and wire server as every class loader sees them. Quarkus starts each test profile in
 * a class loader of its own; the one running infrastructure is registered in the platform MBean server, which
 * the whole JVM shares, and reached through it by name: addresses as attributes, stop and start as operations.
 */
public final class SharedInfrastructure {

    /** What the MBean offers; implemented by {@link TestInfrastructure} in the class loader that started it. */
    public interface ControlMBean {
        String getKafka();

        String getMongo();

        void control(String command);
    }

    static final ObjectName NAME = name();
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    static boolean registered() {
        return SERVER.isRegistered(NAME);
    }

    static void register(ControlMBean control) {
        try {
            SERVER.registerMBean(new javax.management.StandardMBean(control, ControlMBean.class), NAME);
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    public String kafkaBootstrapServers() {
        return attribute("Kafka");
    }

    public String mongoConnectionString() {
        return attribute("Mongo");
    }

    /** Stops the broker, keeping its port and storage, and returns once it is down. */
    public void stopKafka() {
        control("stop kafka");
    }

    public void startKafka() {
        control("start kafka");
    }

    /** Stops the wire server (its memory backend starts empty again) and returns once it is down. */
    public void stopMongo() {
        control("stop mongo");
    }

    public void startMongo() {
        control("start mongo");
    }

    static void control(String command) {
        try {
            SERVER.invoke(NAME, "control", new Object[] { command }, new String[] { String.class.getName() });
        } catch (JMException e) {
            throw new IllegalStateException(command + " failed", e);
        }
    }

    private static String attribute(String name) {
        try {
            return (String) SERVER.getAttribute(NAME, name);
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectName name() {
        try {
            return new ObjectName("dev.handover.testing:type=Infrastructure");
        } catch (JMException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.handover.messenger;

import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;

import dev.handover.testing.GraphApiMock;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** WireMock playing Facebook's Graph API, the one thing outside our system; injected into test fields. */
public class GraphApiResource implements QuarkusTestResourceLifecycleManager {

    private WireMockServer server;

    @Override
    public Map<String, String> start() {
        server = GraphApiMock.start();
        return Map.of("messenger.graph.base-url", server.baseUrl());
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(server, new TestInjector.MatchesType(WireMockServer.class));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }
}

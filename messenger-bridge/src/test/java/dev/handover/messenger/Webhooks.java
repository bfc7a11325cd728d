package dev.handover.messenger;

import static io.restassured.RestAssured.given;

import java.nio.charset.StandardCharsets;

import dev.handover.messenger.service.SignatureVerifier;

/** Facebook calling the bridge's webhook, signed with the test profile's app secret. */
final class Webhooks {

    private static final SignatureVerifier FACEBOOK = new SignatureVerifier("test-app-secret");

    private Webhooks() {
    }

    /** Posts one {@code messaging} item of {@code pageId}; the bridge must answer 200. */
    static void post(String item, String pageId) {
        byte[] body = ("{\"object\":\"page\",\"entry\":[{\"id\":\"" + pageId + "\",\"time\":" + System.currentTimeMillis()
                + ",\"messaging\":[" + item + "]}]}").getBytes(StandardCharsets.UTF_8);
        given().body(body).contentType("application/json").header("X-Hub-Signature-256", FACEBOOK.header(body))
                .post("/webhook").then().statusCode(200);
    }
}

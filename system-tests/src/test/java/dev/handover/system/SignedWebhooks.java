package dev.handover.system;

import static io.restassured.RestAssured.given;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** Facebook calling a bridge's webhook: a customer's text, signed with the app secret. */
final class SignedWebhooks {

    private SignedWebhooks() {
    }

    static Response customerWrites(String bridgeUrl, String appSecret, String pageId, String customer, String mid,
            String text) {
        long now = System.currentTimeMillis();
        byte[] body = ("{\"object\":\"page\",\"entry\":[{\"id\":\"" + pageId + "\",\"time\":" + now + ",\"messaging\":[{"
                + "\"sender\":{\"id\":\"" + customer + "\"},\"recipient\":{\"id\":\"" + pageId + "\"},\"timestamp\":"
                + now + ",\"message\":{\"mid\":\"" + mid + "\",\"text\":\"" + text + "\"}}]}]}")
                .getBytes(StandardCharsets.UTF_8);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(appSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return given().baseUri(bridgeUrl).contentType(ContentType.JSON)
                    .header("X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(mac.doFinal(body)))
                    .body(body).post("/webhook");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

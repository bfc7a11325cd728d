package dev.handover.messenger;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;

import com.github.tomakehurst.wiremock.WireMockServer;

import dev.handover.testing.TestTokens;
import io.restassured.http.ContentType;

/** Connects pages the way a company admin does: the Graph API (WireMock, or the sandbox) vouches for the token. */
final class ConnectedPages {

    /** The company of the pages the bridge's tests send as. */
    static final String COMPANY = "company-1";

    private ConnectedPages() {
    }

    /** Makes WireMock's {@code /me} name {@code pageId} for {@code token}. */
    static void tokenOf(WireMockServer graph, String pageId, String token, String pageName) {
        graph.stubFor(get(urlPathEqualTo("/v25.0/me")).withQueryParam("access_token", equalTo(token))
                .willReturn(okJson("{\"id\":\"" + pageId + "\",\"name\":\"" + pageName + "\"}")));
    }

    /** Connects {@code pageId} to {@code company} through the API with an admin's token; returns the HTTP status. */
    static int connect(String company, String pageId, String token) {
        return given().auth().oauth2(TestTokens.admin("admin", company)).contentType(ContentType.JSON)
                .body("{\"page_access_token\":\"" + token + "\"}").put("/api/admin/page-connections/" + pageId)
                .then().extract().statusCode();
    }

    /** WireMock vouches for {@code token} and {@link #COMPANY} connects the page with it. */
    static void connected(WireMockServer graph, String pageId, String token) {
        tokenOf(graph, pageId, token, "Page " + pageId);
        int status = connect(COMPANY, pageId, token);
        if (status != 200) {
            throw new IllegalStateException("connecting " + pageId + " answered " + status);
        }
    }
}

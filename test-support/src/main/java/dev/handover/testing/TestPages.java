package dev.handover.testing;

import java.util.Date;

import org.bson.Document;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

/**
 * Pages a test company connected before the test begins, written straight into customer-service's
 * {@code pages} collection. Tests of the connection itself (proof with Facebook through messenger-bridge)
 * go through the API instead; this is for tests about what happens on a connected page.
 */
public final class TestPages {

    /** customer-service's database. */
    private static final String DATABASE = "handover";

    private TestPages() {
    }

    public static void connected(String pageId, String companyId, String pageName) {
        connected(DATABASE, pageId, companyId, pageName);
    }

    /** The same in the database of a customer-service of its own ({@link TestInfrastructure#isolatedCustomerService}). */
    public static void connected(String database, String pageId, String companyId, String pageName) {
        try (MongoClient client = MongoClients.create(TestInfrastructure.infrastructure().mongoConnectionString())) {
            Date now = new Date();
            client.getDatabase(database).getCollection("pages").insertOne(new Document("_id", pageId)
                    .append("page_name", pageName).append("company_id", companyId).append("created_at", now)
                    .append("updated_at", now));
        }
    }
}

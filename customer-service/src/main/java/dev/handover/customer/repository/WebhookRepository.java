package dev.handover.customer.repository;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;

import dev.handover.customer.model.Webhook;
import io.quarkus.mongodb.panache.PanacheMongoRepositoryBase;

/** Companies' outbound webhooks. */
@ApplicationScoped
public class WebhookRepository implements PanacheMongoRepositoryBase<Webhook, String> {

    /** The company's webhooks, oldest first (index {@code company_id, created_at}). */
    public List<Webhook> ofCompany(String companyId) {
        return mongoCollection().find(Filters.eq("company_id", companyId)).sort(Sorts.ascending("created_at"))
                .into(new ArrayList<>());
    }

    public long countOfCompany(String companyId) {
        return mongoCollection().countDocuments(Filters.eq("company_id", companyId));
    }
}

package dev.handover.customer.repository;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;

import dev.handover.customer.model.Page;
import io.quarkus.mongodb.panache.PanacheMongoRepositoryBase;

/** Pages and their owning company. */
@ApplicationScoped
public class PageRepository implements PanacheMongoRepositoryBase<Page, String> {

    /** The page if it belongs to {@code companyId}; another company's page is as absent as a missing one. */
    public Optional<Page> owned(String companyId, String pageId) {
        return Optional.ofNullable(mongoCollection().find(Filters.and(Filters.eq("_id", pageId),
                Filters.eq("company_id", companyId))).first());
    }

    public List<Page> ofCompany(String companyId) {
        return mongoCollection().find(Filters.eq("company_id", companyId)).sort(Sorts.ascending("_id"))
                .into(new java.util.ArrayList<>());
    }
}

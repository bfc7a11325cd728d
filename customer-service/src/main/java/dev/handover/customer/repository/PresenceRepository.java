package dev.handover.customer.repository;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;

import dev.handover.customer.model.PresenceInstance;
import io.quarkus.mongodb.panache.PanacheMongoRepositoryBase;

/** Gateway instances' presence reports, one per instance and company. */
@ApplicationScoped
public class PresenceRepository implements PanacheMongoRepositoryBase<PresenceInstance, String> {

    public void store(PresenceInstance report) {
        mongoCollection().replaceOne(Filters.eq("_id", report.id), report, new ReplaceOptions().upsert(true));
    }

    /** The company's reports still good at {@code now} (index {@code company_id}). */
    public List<PresenceInstance> current(String companyId, Instant now) {
        return mongoCollection().find(Filters.and(Filters.eq("company_id", companyId), Filters.gt("expires_at", now)))
                .into(new ArrayList<>());
    }

    /** Reports no instance restated in time (index {@code expires_at}). */
    public List<PresenceInstance> expired(Instant now, int limit) {
        return mongoCollection().find(Filters.lte("expires_at", now)).limit(limit).into(new ArrayList<>());
    }

    /** Removes an expired report unless it was restated meanwhile; true if this call removed it. */
    public boolean remove(PresenceInstance report) {
        return mongoCollection().deleteOne(Filters.and(Filters.eq("_id", report.id),
                Filters.eq("expires_at", report.expiresAt))).getDeletedCount() == 1;
    }
}

package dev.handover.customer.repository;

import jakarta.enterprise.context.ApplicationScoped;

import dev.handover.customer.model.CompanySettings;
import io.quarkus.mongodb.panache.PanacheMongoRepositoryBase;

/** Companies' settings, by company id. */
@ApplicationScoped
public class SettingsRepository implements PanacheMongoRepositoryBase<CompanySettings, String> {
}

package dev.handover.customer.service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;

import dev.handover.customer.model.Page;
import dev.handover.customer.repository.CustomerRepository;
import dev.handover.customer.repository.PageRepository;

/** Which company owns which page: registered by the company's admins. */
@ApplicationScoped
public class PageService {

    private static final int MAX_FIELD = 200;

    private final PageRepository pages;
    private final CustomerRepository customers;
    private final Clock clock;

    public PageService(PageRepository pages, CustomerRepository customers, Clock clock) {
        this.pages = pages;
        this.customers = customers;
        this.clock = clock;
    }

    public List<Page> ofCompany(Caller caller) {
        return pages.ofCompany(caller.companyId());
    }

    public Page create(Caller caller, String pageId, String pageName) {
        require(pageId, "page_id");
        require(pageName, "page_name");
        Page page = new Page();
        page.pageId = pageId.trim();
        page.pageName = pageName.trim();
        page.companyId = caller.companyId();
        page.createdAt = clock.instant();
        page.updatedAt = page.createdAt;
        try {
            pages.persist(page);
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                throw new ApiException(409, "Page is already registered");
            }
            throw e;
        }
        return page;
    }

    public Page rename(Caller caller, String pageId, String pageName) {
        require(pageName, "page_name");
        Page page = pages.owned(caller.companyId(), pageId).orElseThrow(ApiException::pageNotFound);
        Instant now = clock.instant();
        page.pageName = pageName.trim();
        page.updatedAt = now;
        pages.update(page);
        customers.renamePage(page.pageId, page.pageName);
        return page;
    }

    private static void require(String value, String name) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest(name + " is required");
        }
        if (value.length() > MAX_FIELD) {
            throw ApiException.badRequest(name + " is longer than " + MAX_FIELD + " characters");
        }
    }
}

package dev.handover.customer.service;

/**
 * A refusal with the HTTP status it maps to and the spec's error text, which reaches the caller verbatim as
 * {@code {"error": "..."}} (and, through the gateway, as the WebSocket's error frame).
 */
public class ApiException extends RuntimeException {

    private final int status;

    public ApiException(int status, String error) {
        super(error, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }

    public static ApiException badRequest(String error) {
        return new ApiException(400, error);
    }

    public static ApiException pageNotFound() {
        return new ApiException(403, "Page not found or access denied");
    }

    public static ApiException customerNotFound() {
        return new ApiException(404, "Customer not found");
    }

    public static ApiException adminsOnly() {
        return new ApiException(403, "Admins only");
    }

    public static ApiException notAssignedToAnyone() {
        return new ApiException(409, "Customer is not assigned");
    }

    public static ApiException atCapacity(int limit) {
        return new ApiException(409, "You have reached your limit of " + limit + " active chats");
    }

    public static ApiException notRequested() {
        return new ApiException(409, "Customer has not requested human assistance");
    }

    public static ApiException alreadyAssigned(String email) {
        return new ApiException(409, "Customer is already assigned to " + email);
    }

    public static ApiException notAssigned() {
        return new ApiException(403, "You are not assigned to this customer");
    }

    /** The customer's outbox is full: Kafka has not taken its earlier changes yet. */
    public static ApiException backlogged() {
        return new ApiException(503, "Too many changes of this customer are waiting for the event broker, try again shortly");
    }

    public static ApiException assignFailed() {
        return new ApiException(500, "Failed to assign agent");
    }
}

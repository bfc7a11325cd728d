package dev.handover.customer.rest;

import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import dev.handover.customer.service.ApiException;

/** Every refusal in one format, {@code {"error": "..."}}, with the spec's texts. */
public class ErrorMapper {

    private static final Logger LOG = Logger.getLogger(ErrorMapper.class);

    /** The error body of every failure. */
    public record ErrorBody(String error) {
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return error(e.status(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return error(400, "Invalid JSON body");
    }

    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        String field = e.getPath().stream().map(ref -> ref.getFieldName() != null ? ref.getFieldName()
                : "[" + ref.getIndex() + "]").collect(java.util.stream.Collectors.joining("."));
        return error(400, field.isEmpty() ? "Invalid JSON body" : "Invalid value for " + field);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        if (e instanceof NotFoundException) {
            return error(404, "Not found");
        }
        if (e.getCause() instanceof JsonProcessingException) {
            return error(400, "Invalid JSON body");
        }
        int status = e.getResponse().getStatus();
        return error(status, status == 400 ? "Invalid request" : e.getResponse().getStatusInfo().getReasonPhrase());
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("Unexpected failure", e);
        return error(500, "Internal error");
    }

    static Response error(int status, String text) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ErrorBody(text)).build();
    }
}

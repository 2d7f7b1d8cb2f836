package dev.lethe.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Requests Jetty refuses before any route sees them — a NUL or invalid UTF-8 in the path, a
 * malformed request line or header — answered as problem+json like every other error, never as
 * Jetty's HTML page. Nothing of the request (its path, its message) is echoed or logged.
 */
final class MalformedRequests extends ErrorHandler {

    private static final HttpField PROBLEM = new HttpField(HttpHeader.CONTENT_TYPE, Problems.MEDIA_TYPE);

    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback)
            throws IOException {
        response.getHeaders().put(PROBLEM);
        response.write(true, ByteBuffer.wrap(body(code)), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(PROBLEM);
        return ByteBuffer.wrap(body(status));
    }

    private static byte[] body(int status) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", title(status));
        problem.put("status", status);
        problem.put("errors", List.of());
        try {
            return Json.MAPPER.writeValueAsBytes(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a problem always serialises", e);
        }
    }

    private static String title(int status) {
        return switch (status) {
            case 400 ->
                "The request cannot be read: its path, query or headers are malformed"
                        + " (e.g. a NUL character or invalid UTF-8 in the path).";
            case 414 -> "The request's address is too long.";
            case 431 -> "The request's headers are too large.";
            default -> HttpStatus.getMessage(status);
        };
    }
}

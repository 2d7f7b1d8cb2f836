package dev.lethe.http;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A check of every JSON answer against the schema the OpenAPI document gives for it. The server
 * installs the first implementation {@link java.util.ServiceLoader} finds; the production jar has
 * none, the test classpath has one, so every answer any test receives is checked against the
 * served document and a route cannot answer what it does not document.
 */
public interface ResponseCheck {

    /**
     * Throws when {@code body} is not what the document says {@code method path} answers with
     * {@code status}.
     *
     * @param document the served OpenAPI document
     */
    void check(JsonNode document, String method, String path, int status, String body);
}

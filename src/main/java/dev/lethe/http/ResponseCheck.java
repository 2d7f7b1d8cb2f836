package dev.lethe.http;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A check of every JSON answer against the schema the OpenAPI document gives for it, given to the
 * server through its settings ({@link HttpServer.Settings#withResponseCheck}). A server started
 * by the tests has one, so every answer a test receives is checked against the served document
 * and a route cannot answer what it does not document; a production server has none.
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

package dev.lethe.http;

import dev.lethe.errors.BadRequestException;
import dev.lethe.errors.ConflictException;
import dev.lethe.errors.FieldError;
import dev.lethe.errors.ForbiddenException;
import dev.lethe.errors.GoneException;
import dev.lethe.errors.InvalidInputException;
import dev.lethe.errors.LetheException;
import dev.lethe.errors.NotFoundException;
import dev.lethe.errors.UnauthenticatedException;
import dev.lethe.errors.UnsupportedMediaTypeException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place errors become HTTP responses: RFC 9457 problem details with a list of field
 * errors ({@code errors: [{path, message}]}). Unexpected exceptions are logged with their class
 * and stack, and answered without detail.
 */
final class Problems {

    static final String MEDIA_TYPE = "application/problem+json";
    private static final Logger log = LoggerFactory.getLogger(Problems.class);

    private Problems() {}

    static void register(RoutesConfig routes, long maxBodyBytes) {
        routes.exception(LetheException.class, (e, ctx) -> write(ctx, status(e), e.getMessage(), e.errors()));
        String tooLarge = "The request body is larger than this server accepts: at most " + maxBodyBytes
                + " bytes (--max-body-bytes / LETHE_MAX_BODY_BYTES).";
        routes.exception(
                HttpResponseException.class,
                (e, ctx) -> write(ctx, e.getStatus(), e.getStatus() == 413 ? tooLarge : e.getMessage(), List.of()));
        routes.exception(Exception.class, (e, ctx) -> {
            log.error("request failed: {} {}", ctx.method(), HttpServer.route(ctx), e);
            write(ctx, 500, "Internal error. Nothing was changed; the request can be retried.", List.of());
        });
        routes.error(404, "*", ctx -> {
            if (!isProblem(ctx)) write(ctx, 404, "No such route: " + ctx.method() + " " + ctx.path(), List.of());
        });
        routes.error(405, "*", ctx -> {
            if (!isProblem(ctx)) write(ctx, 405, "Method not allowed here.", List.of());
        });
        routes.error(413, "*", ctx -> {
            if (!isProblem(ctx)) write(ctx, 413, tooLarge, List.of());
        });
    }

    static int status(LetheException e) {
        return switch (e) {
            case InvalidInputException x -> 422;
            case NotFoundException x -> 404;
            case ForbiddenException x -> 403;
            case UnauthenticatedException x -> 401;
            case ConflictException x -> 409;
            case BadRequestException x -> 400;
            case GoneException x -> 410;
            case UnsupportedMediaTypeException x -> 415;
        };
    }

    static void write(Context ctx, int status, String title, List<FieldError> errors) {
        var body = new Problem(
                "about:blank",
                title,
                status,
                ctx.path(),
                errors.stream()
                        .map(e -> new Problem.FieldProblem(e.path(), e.message()))
                        .toList());
        if (status == 401) ctx.header("WWW-Authenticate", "Bearer realm=\"lethe\"");
        ctx.status(status).contentType(MEDIA_TYPE).json(body);
        ctx.contentType(MEDIA_TYPE);
    }

    private static boolean isProblem(Context ctx) {
        String type = ctx.res().getContentType();
        return type != null && type.startsWith(MEDIA_TYPE);
    }
}

package dev.lethe.http;

import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.POST;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lethe.accounts.Scope;
import dev.lethe.errors.GoneException;
import dev.lethe.input.JsonFields;
import dev.lethe.jobs.Job;
import dev.lethe.jobs.JobFiles;
import dev.lethe.profiles.ProfileCriteria;
import dev.lethe.transfer.Exports;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Exports over HTTP (docs/export.md): ask for one (a job), ask for its link again, and download
 * its file with the link's token — the token is the credential, so a link in an email works in a
 * browser; a key alone never downloads.
 */
final class ExportRoutes {

    private final Exports exports;

    ExportRoutes(Exports exports) {
        this.exports = exports;
    }

    /**
     * {@code POST /v1/exports}.
     *
     * @param kind profiles (default); events and messages are not available yet
     * @param segment a saved segment's id
     * @param filter criteria as a segment's filter has them, refining the segment's; personal (sealed with the job)
     * @param columns the CSV's columns in order: id, subjectType, firstSeen, lastSeen (the default),
     *     visits, engagement, field.{key} (headed by the custom field's display name), traits.{name}
     * @param from start of a time range (events, messages)
     * @param to end of it, exclusive
     * @param notify an email address told when the file is ready, with who asked, when and from
     *     where, and the link; personal (sealed with the job)
     */
    record ExportBody(
            String kind,
            String segment,
            ProfileRoutes.SegmentFilter filter,
            List<String> columns,
            Instant from,
            Instant to,

            @com.fasterxml.jackson.annotation.JsonProperty("notify")
            String notifyAddress) {}

    /**
     * An export's link, for a requester who gave no address to notify.
     *
     * @param download the path of the file with its token
     * @param usesLeft downloads the link still allows
     * @param expiresAt when it stops working and the file is deleted
     */
    record ExportLink(String download, int usesLeft, Instant expiresAt) {}

    void register(Api api) {
        api.route(POST, "/v1/exports")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Export profiles of a segment or filter as a CSV (a job: 202 with it and Location /v1/jobs/{id}); custom fields headed by their display name; the file is sealed under the job's own key; when ready, notify gets an email saying who asked, when and from where, with a link that works once (LETHE_EXPORT_LINK_USES) for 24 hours (LETHE_EXPORT_LINK_TTL); erasing anyone in the file withdraws it; audited")
                .body(ExportBody.class)
                .returns(202)
                .answers(Job.class)
                .handle((ctx, caller) -> {
                    var request = request(Json.object(ctx));
                    var job = exports.create(caller, request);
                    ctx.status(202).header("Location", "/v1/jobs/" + job.id()).json(job);
                });
        api.route(GET, "/v1/exports/{id}/link")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "A completed export's download link with its token (the token is kept sealed, never in clear); 410 once used up, expired or withdrawn; audited")
                .answers(ExportLink.class)
                .handle((ctx, caller) -> {
                    var link = exports.link(caller, Json.idPath(ctx, "id", "No such export."));
                    ctx.json(new ExportLink((String) link.get("download"), (Integer) link.get("usesLeft"), (Instant)
                            link.get("expiresAt")));
                });
        api.route(GET, "/v1/exports/{id}/file")
                .summary(
                        "Download an export's CSV with its link's token (the token is the credential; required): works as many times as the link allows (once by default) until it expires, then 410; a file withdrawn because a person in it was erased is 410 saying so; each download audited; the last one deletes the file")
                .query("token", "the token of the export's link")
                .returns(200, "text/csv")
                .problem(410, "the link was used up or expired, or the file was withdrawn after an erasure")
                .parse((q, caller) -> {
                    String token = q.text("token");
                    if (token == null) q.addAll(List.of(new dev.lethe.errors.FieldError("token", "is required")));
                    return token;
                })
                .handle((ctx, caller, token) -> {
                    String id = Json.idPath(ctx, "id", "No such export link.");
                    var grant = exports.grant(id, token, ctx.ip());
                    try (var in = exports.open(grant)) {
                        byte[] first;
                        try {
                            first = in.readNBytes(64 * 1024);
                        } catch (JobFiles.Gone e) {
                            throw new GoneException("The export's file was withdrawn or deleted.");
                        }
                        ctx.status(200);
                        ctx.contentType("text/csv; charset=utf-8");
                        ctx.header("Content-Disposition", "attachment; filename=\"export-" + id + ".csv\"");
                        ctx.header("Cache-Control", "no-store");
                        var out = ctx.res().getOutputStream();
                        out.write(first);
                        in.transferTo(out);
                        out.flush();
                    } catch (IOException e) {
                        // the client went away or the file went meanwhile: the use is counted
                        throw new java.io.UncheckedIOException(e);
                    } finally {
                        exports.downloaded(grant);
                    }
                });
    }

    private static final List<String> FILTER_KEYS = JsonFields.keys(ProfileRoutes.SegmentFilter.class);

    private static Exports.Request request(JsonNode body) {
        var in = new JsonFields();
        in.object(body, "", JsonFields.keys(ExportBody.class));
        JsonNode f = in.optionalObject(body, "", "filter", FILTER_KEYS);
        ProfileCriteria criteria = f == null ? null : ProfileRoutes.criteria(f, in);
        var request = new Exports.Request(
                in.optionalText(body, "", "kind"),
                in.optionalText(body, "", "segment"),
                criteria,
                body.has("columns") ? in.texts(body, "", "columns") : null,
                in.optionalInstant(body, "", "from"),
                in.optionalInstant(body, "", "to"),
                in.optionalText(body, "", "notify"));
        in.requireValid();
        return request;
    }
}

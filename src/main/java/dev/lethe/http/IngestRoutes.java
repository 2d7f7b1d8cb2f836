package dev.lethe.http;

import static io.javalin.http.HandlerType.POST;

import dev.lethe.accounts.Scope;
import dev.lethe.activity.EventReader;
import dev.lethe.activity.MessageReader;
import dev.lethe.activity.MessageService;
import dev.lethe.activity.MessagesBody;
import dev.lethe.activity.TrackBody;
import dev.lethe.activity.TrackResult;
import dev.lethe.activity.TrackService;
import dev.lethe.input.JsonFields;
import dev.lethe.profiles.Identification;
import dev.lethe.profiles.Identified;
import dev.lethe.profiles.IdentifyBody;
import dev.lethe.profiles.IdentifyReader;

/**
 * Ingest over HTTP: identify, track and messages. The bodies are read by their features' readers
 * ({@link IdentifyReader}, {@link EventReader}, {@link MessageReader}); the routes parse, call and
 * render.
 */
final class IngestRoutes {

    private final Identification identification;
    private final TrackService track;
    private final MessageService messages;

    IngestRoutes(Identification identification, TrackService track, MessageService messages) {
        this.identification = identification;
        this.track = track;
        this.messages = messages;
    }

    void register(Api api) {
        api.route(POST, "/v1/messages")
                .access(Access.needs(Scope.INGEST))
                .summary(
                        "Record up to 1000 messages (SMS, email, chat, voice, push, OTT); content, attachments and traffic data are encrypted, each message is accepted or rejected on its own")
                .body(MessagesBody.class)
                .returns(202)
                .answers(TrackResult.class)
                .handle((ctx, caller) ->
                        ctx.status(202).json(messages.ingest(caller, MessageReader.batch(Json.object(ctx)), gpc(ctx))));
        api.route(POST, "/v1/identify")
                .access(Access.needs(Scope.INGEST))
                .summary(
                        "A visitor identifies: finds or creates the profile by email, phone or external id; the visitor's anonymous history joins it. A key with the read or admin scope is told the profile (201 new, 200 known); an ingest key only 202 {accepted, dropped, expired}, whoever the person is")
                .body(IdentifyBody.class)
                .answers(Identified.class)
                .answers(201, Identified.class)
                .answers(202, Identified.Receipt.class)
                .problem(409, "The person's processing is restricted (GDPR Art. 18): nothing was stored")
                .problem(
                        410,
                        "The person was erased (a key that may read only; an ingest key is answered 202): nothing was stored")
                .handle((ctx, caller) -> {
                    var in = new JsonFields();
                    var request = IdentifyReader.read(Json.object(ctx), "", in);
                    var result = identification.identify(caller, request, in.errors(), gpc(ctx));
                    if (Identification.learnsWhoExists(caller))
                        ctx.status(result.created() ? 201 : 200).json(result);
                    else ctx.status(202).json(result.receipt());
                });
        api.route(POST, "/v1/track")
                .access(Access.needs(Scope.INGEST))
                .summary(
                        "Record up to 1000 events; each event is accepted or rejected on its own, with the paths of its errors")
                .body(TrackBody.class)
                .returns(202)
                .answers(TrackResult.class)
                .handle((ctx, caller) ->
                        ctx.status(202).json(track.track(caller, EventReader.batch(Json.object(ctx)), gpc(ctx))));
    }

    /**
     * Whether the request carries Global Privacy Control ({@code Sec-GPC: 1}): the person objects
     * to targeting.
     */
    private static boolean gpc(io.javalin.http.Context ctx) {
        return "1".equals(ctx.header("Sec-GPC"));
    }
}

package dev.lethe.http;

import static io.javalin.http.HandlerType.GET;
import static io.javalin.http.HandlerType.PUT;

import dev.lethe.accounts.Scope;
import dev.lethe.activity.Campaigns;
import dev.lethe.input.JsonFields;
import java.time.Instant;

/** When campaigns ended (the campaign_ended retention trigger) over HTTP. */
final class CampaignRoutes {

    private final Campaigns campaigns;

    CampaignRoutes(Campaigns campaigns) {
        this.campaigns = campaigns;
    }

    void register(Api api) {
        api.route(PUT, "/v1/campaigns/{id}")
                .access(Access.needs(Scope.ADMIN))
                .summary(
                        "Record when a campaign ended ({endedAt}; null: not ended): messages whose rule counts from campaign_ended count from it")
                .body(CampaignEnd.class)
                .answers(Campaigns.Campaign.class)
                .handle((ctx, caller) -> {
                    var in = new JsonFields();
                    var body = in.object(Json.object(ctx), "", JsonFields.keys(CampaignEnd.class));
                    if (body == null) in.requireValid();
                    if (!body.has("endedAt"))
                        in.error("endedAt", "is required: an ISO instant, or null for a campaign that has not ended");
                    Instant endedAt = in.optionalInstant(body, "", "endedAt");
                    in.requireValid();
                    ctx.json(campaigns.setEnd(caller, ctx.pathParam("id"), endedAt));
                });
        api.route(GET, "/v1/campaigns/{id}")
                .access(Access.needs(Scope.READ))
                .summary("When a campaign ended, as recorded; 404 for a campaign never recorded")
                .answers(Campaigns.Campaign.class)
                .handle((ctx, caller) -> ctx.json(campaigns.campaign(caller, ctx.pathParam("id"))));
    }

    /**
     * {@code PUT /v1/campaigns/{id}}: when the campaign ended.
     *
     * @param endedAt an ISO instant; null for a campaign that has not ended (or was reopened)
     */
    record CampaignEnd(Instant endedAt) {}
}

package dev.lethe.profiles;

import dev.lethe.goals.Goal;
import dev.lethe.goals.GoalHit;
import dev.lethe.values.Sensitive;
import dev.lethe.values.StoredValue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a profile shows beyond its raw values, worked out from its opened values and events when
 * the profile is read: interests, goals achieved (from the recorded achievements), campaigns.
 */
final class Aggregates {

    private Aggregates() {}

    /** Values arriving as {@code properties.interest(s)} or {@code traits.interest(s)}, most frequent first. */
    static List<ProfileView.Interest> interests(List<StoredValue> values) {
        var counts = new LinkedHashMap<String, Integer>();
        for (var v : values) {
            if (v.field().endsWith(".interest") || v.field().endsWith(".interests")) {
                for (var interest : v.value().items()) counts.merge(interest, 1, Integer::sum); // a list counts each
            }
        }
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .map(e -> new ProfileView.Interest(new Sensitive(e.getKey()), e.getValue()))
                .toList();
    }

    /** Each goal the profile achieved, with the first time and how often, first achieved first. */
    static List<ProfileView.GoalAchieved> goals(List<Goal> goals, List<GoalHit> hits) {
        var names = new HashMap<String, String>();
        goals.forEach(g -> names.put(g.goalId(), g.name()));
        var first = new LinkedHashMap<String, Instant>();
        var times = new HashMap<String, Integer>();
        for (var hit : hits) { // oldest first
            first.putIfAbsent(hit.goalId(), hit.achievedAt());
            times.merge(hit.goalId(), 1, Integer::sum);
        }
        var out = new ArrayList<ProfileView.GoalAchieved>();
        first.forEach((goal, at) -> {
            if (names.containsKey(goal))
                out.add(new ProfileView.GoalAchieved(goal, names.get(goal), at, times.get(goal)));
        });
        out.sort(Comparator.comparing(ProfileView.GoalAchieved::firstAchievedAt));
        return out;
    }

    /** Campaigns from {@code context.campaign} or {@code properties.campaignId}, first and last seen. */
    static List<ProfileView.Campaign> campaigns(List<StoredValue> values) {
        var seen = new LinkedHashMap<String, Instant[]>();
        for (var v : values) {
            if (!v.field().equals("context.campaign") && !v.field().equals("properties.campaignId")) continue;
            for (var campaign : v.value().items()) {
                var range = seen.computeIfAbsent(campaign, c -> new Instant[] {v.collectedAt(), v.collectedAt()});
                if (v.collectedAt().isBefore(range[0])) range[0] = v.collectedAt();
                if (v.collectedAt().isAfter(range[1])) range[1] = v.collectedAt();
            }
        }
        return seen.entrySet().stream()
                .map(e -> new ProfileView.Campaign(new Sensitive(e.getKey()), e.getValue()[0], e.getValue()[1]))
                .toList();
    }
}

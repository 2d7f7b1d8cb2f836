package dev.lethe.profiles;

import dev.lethe.subjects.IdentifierKind;
import dev.lethe.subjects.SubjectDirectory;
import dev.lethe.values.Sensitive;
import dev.lethe.values.StoredValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * The identifiers a profile holds, as its view shows them. What a profile holds is what finds it:
 * the rows of the identifiers table (blind indexes), which merges and joined devices bring along.
 * Each is shown with its value, decrypted, when one is kept: the values of {@code identifiers.*}
 * fields are matched to the held identifiers by their blind index, so an identifier that moved
 * to another profile is not shown here, and one whose value is not kept is shown without it.
 */
final class HeldIdentifiers {

    private HeldIdentifiers() {}

    /** Kind (wire name) → identifiers, most recently given first; every kind present, perhaps empty. */
    static Map<String, List<ProfileView.Identifier>> of(
            SubjectDirectory subjects, Handle h, String accountId, String profileId, List<StoredValue> stored) {
        var valueByIndex = new HashMap<String, Sensitive>();
        for (var v : stored) {
            for (var kind : IdentifierKind.values()) {
                if (!v.field().equals(kind.field())) continue;
                String normal =
                        kind.normalise(v.value().value()).orElse(v.value().value());
                valueByIndex.put(
                        kind.wireName() + ":" + subjects.blindIndex(accountId, kind, normal), new Sensitive(normal));
            }
        }
        var out = new LinkedHashMap<String, List<ProfileView.Identifier>>();
        for (var kind : IdentifierKind.values()) out.put(kind.wireName(), new ArrayList<>());
        for (var held : subjects.store().identifiersOf(h, accountId, profileId)) { // latest first in each kind
            var list = out.get(held.kind().wireName());
            list.add(new ProfileView.Identifier(
                    valueByIndex.get(held.kind().wireName() + ":" + held.blindIndex()),
                    held.firstCollectedAt(),
                    held.collectedAt(),
                    list.isEmpty()));
        }
        return out;
    }

    /** Contact information: the latest email, phone and external id whose value is kept. */
    static Map<String, Sensitive> contact(Map<String, List<ProfileView.Identifier>> identifiers) {
        var out = new LinkedHashMap<String, Sensitive>();
        for (var kind : List.of(IdentifierKind.EMAIL, IdentifierKind.PHONE, IdentifierKind.EXTERNAL_ID)) {
            identifiers.get(kind.wireName()).stream()
                    .filter(i -> i.value() != null)
                    .findFirst()
                    .ifPresent(i -> out.put(kind.wireName(), i.value()));
        }
        return out;
    }
}

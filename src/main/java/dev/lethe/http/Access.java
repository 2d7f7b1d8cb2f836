package dev.lethe.http;

import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who may call a route: anyone, or a key with any one of some scopes (admin implies read and
 * ingest).
 */
public record Access(Set<Scope> anyOf) {

    public static final Access PUBLIC = new Access(Set.of());

    public static Access needs(Scope first, Scope... more) {
        return new Access(Set.copyOf(EnumSet.of(first, more)));
    }

    public boolean isPublic() {
        return anyOf.isEmpty();
    }

    public boolean allows(Caller caller) {
        return anyOf.stream().anyMatch(caller::may);
    }

    public String describe() {
        return anyOf.stream().map(Scope::wireName).sorted().collect(Collectors.joining(" or "));
    }
}

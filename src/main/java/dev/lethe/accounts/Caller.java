package dev.lethe.accounts;

import dev.lethe.audit.Actor;
import java.util.Set;

/** An authenticated request's identity: the account it acts in, the key, its scopes, its address. */
public record Caller(String accountId, String keyId, Set<Scope> scopes, String sourceAddress) {

    public Caller {
        scopes = Set.copyOf(scopes);
    }

    /** Admin implies read and ingest; operator implies nothing inside accounts. */
    public boolean may(Scope needed) {
        if (scopes.contains(needed)) return true;
        return scopes.contains(Scope.ADMIN) && (needed == Scope.READ || needed == Scope.INGEST);
    }

    public boolean isOperator() {
        return scopes.contains(Scope.OPERATOR);
    }

    public Actor actor() {
        return new Actor(keyId, sourceAddress);
    }
}

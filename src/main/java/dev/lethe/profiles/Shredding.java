package dev.lethe.profiles;

import dev.lethe.accounts.AccountService;
import dev.lethe.accounts.Caller;
import dev.lethe.accounts.Scope;
import dev.lethe.audit.AuditEvent;
import dev.lethe.audit.AuditLog;
import dev.lethe.crypto.Keyring;
import dev.lethe.errors.NotFoundException;
import dev.lethe.storage.Transactions;
import dev.lethe.subjects.SubjectStore;
import java.util.List;
import java.util.Map;

/** Crypto-shredding a profile. */
public final class Shredding {

    private final SubjectStore subjects;
    private final Keyring keyring;
    private final AuditLog audit;
    private final Transactions transactions;

    public Shredding(SubjectStore subjects, Keyring keyring, AuditLog audit, Transactions transactions) {
        this.subjects = subjects;
        this.keyring = keyring;
        this.audit = audit;
        this.transactions = transactions;
    }

    /**
     * Crypto-shreds a profile: its key is destroyed, so every value sealed under it is unreadable
     * wherever a copy lies. (Erasure, which also deletes the rows and issues a receipt, builds on
     * this.) Returns whether a key was destroyed.
     */
    public boolean shred(Caller caller, String profileId) {
        AccountService.requireScope(caller, Scope.ADMIN);
        return transactions.inTransaction(h -> {
            if (subjects.lock(h, caller.accountId(), List.of(profileId)).isEmpty()) {
                throw new NotFoundException("No such profile.");
            }
            boolean destroyed = keyring.shred(h, caller.accountId(), profileId);
            audit.append(
                    h,
                    AuditEvent.ok(
                            caller.accountId(),
                            caller.actor(),
                            "profile.shred",
                            List.of("profile:" + profileId),
                            Map.of("destroyed", destroyed)));
            return destroyed;
        });
    }
}

package dev.lethe.requests;

import dev.lethe.consent.Consents;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import org.jdbi.v3.core.Handle;

/**
 * The consent ledger's part of an access package (GDPR Art. 15, and Art. 7(1): the account must
 * be able to show the consents it relies on): one record per purpose of each entry — granted or
 * withdrawn, when, under which privacy-policy version, from which source and form. The keyed hash
 * of the address the person answered from is never given: it is proof for the account, not data
 * about the person that tells them anything, and the address itself is never kept.
 */
public final class ConsentSection implements PackageSection {

    public static final PackageKind CONSENTS = new PackageKind(
            "consents",
            "Consents given and withdrawn, per purpose, with the privacy-policy version and where they were given",
            false,
            List.of("consentId", "purpose", "granted", "at", "recordedAt", "policyVersion", "source", "form"));

    private final Consents consents;

    public ConsentSection(Consents consents) {
        this.consents = consents;
    }

    @Override
    public PackageKind kind() {
        return CONSENTS;
    }

    /** The person's ledger, oldest first; a person's ledger is small (a few entries per policy version). */
    @Override
    public void write(Handle h, String accountId, String subjectId, Out out) throws IOException {
        for (var c : consents.history(h, accountId, subjectId)) {
            for (var purpose : c.purposes().entrySet()) {
                var record = new LinkedHashMap<String, Object>();
                record.put("consentId", c.consentId());
                record.put("purpose", purpose.getKey());
                record.put("granted", purpose.getValue());
                record.put("at", c.consentedAt());
                record.put("recordedAt", c.recordedAt());
                if (c.policyVersion() != null) record.put("policyVersion", c.policyVersion());
                record.put("source", c.source());
                if (c.proofForm() != null) record.put("form", c.proofForm());
                out.record(record);
            }
        }
    }
}

package dev.lethe.cli;

import dev.lethe.accounts.Account;
import dev.lethe.audit.AuditLog;
import dev.lethe.audit.JdbcAuditStore;
import dev.lethe.crypto.CryptoFailure;
import dev.lethe.crypto.KeysetMasterKey;
import dev.lethe.crypto.MasterKey;
import dev.lethe.storage.Database;
import dev.lethe.storage.Ids;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lethe audit verify}: checks the keyed hash chains straight from the database. It needs the
 * master key (to open the audit keys) and only reads: entries still pending are counted, not
 * chained.
 */
@Command(
        name = "audit",
        mixinStandardHelpOptions = true,
        description = "Work with the audit log.",
        subcommands = AuditCommand.Verify.class)
final class AuditCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Exit 0 when every chain is intact, 1 when any entry was edited, removed or reordered. */
    @Command(
            name = "verify",
            mixinStandardHelpOptions = true,
            description = "Verify the audit chain of one account (--account) or of every account and the platform.")
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Options.Storage storage;

        @Option(
                names = "--account",
                description = "Account id, or platform (default: every account, and the platform).")
        String account;

        @Option(
                names = "--master-key",
                defaultValue = "${env:LETHE_MASTER_KEY}",
                description = "The master key as a Tink AEAD keyset in JSON (env LETHE_MASTER_KEY); default: the file"
                        + " master-key.json in the data directory. The chains are keyed: without it they cannot be"
                        + " checked.")
        String masterKey;

        @Override
        public Integer call() {
            var out = spec.commandLine().getOut();
            MasterKey master;
            try {
                master = masterKey();
            } catch (RuntimeException e) {
                spec.commandLine().getErr().println("lethe: cannot verify the audit log: " + e.getMessage());
                return 2;
            }
            Database opened;
            try {
                opened = Database.open(storage.database());
            } catch (RuntimeException e) {
                // Not a verdict on the chain: say why it could not be checked (exit 2, not 1).
                spec.commandLine()
                        .getErr()
                        .println("lethe: cannot open the database to verify the audit log: "
                                + e.getMessage()
                                + (e.getMessage() != null && e.getMessage().contains("locked")
                                        ? " (the embedded database is in use by a running server: stop it, or verify over"
                                                + " HTTP with GET /v1/audit/verify)"
                                        : ""));
                return 2;
            }
            try (var db = opened) {
                var audit =
                        new AuditLog(db.jdbi(), new JdbcAuditStore(), master, new SecureRandom(), Clock.systemUTC());
                if (account != null && !"platform".equals(account) && !Ids.isId(account)) {
                    spec.commandLine()
                            .getErr()
                            .println("lethe: --account must be an account id (a uuid) or 'platform'");
                    return 2;
                }
                List<String> accounts = account == null
                        ? audit.chainOwners()
                        : List.of("platform".equals(account) ? Account.PLATFORM : account);
                boolean intact = true;
                for (String id : accounts) {
                    var v = audit.verifyAsStored(id);
                    out.println((v.intact() ? "intact  " : "BROKEN  ") + (Account.PLATFORM.equals(id) ? "platform" : id)
                            + ": " + v.entries() + " entries, " + v.pending() + " pending, head "
                            + v.head().seq()
                            + " " + v.head().hash());
                    v.problems()
                            .forEach(p -> out.println((p.entry() != null && p.seq() == 0
                                            ? "    pending entry " + p.entry()
                                            : "    entry " + p.seq())
                                    + ": " + p.reason()));
                    intact &= v.intact();
                }
                return intact ? 0 : 1;
            } catch (CryptoFailure e) {
                spec.commandLine().getErr().println("lethe: cannot verify the audit log: " + e.getMessage());
                return 2;
            }
        }

        /** The key given, else the data directory's key file; never a new one (that could check nothing). */
        private MasterKey masterKey() {
            if (masterKey != null && !masterKey.isBlank()) return KeysetMasterKey.of(masterKey.strip());
            Path file = storage.dataDir().resolve("master-key.json");
            if (!Files.exists(file)) {
                throw new SettingException("the audit chains are keyed: give --master-key / LETHE_MASTER_KEY, or"
                        + " --data-dir / LETHE_DATA_DIR where master-key.json is (" + file + " does not exist)");
            }
            try {
                return KeysetMasterKey.of(Files.readString(file));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the master key file " + file, e);
            }
        }
    }
}

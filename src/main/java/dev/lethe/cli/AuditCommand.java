package dev.lethe.cli;

import dev.lethe.Lethe;
import dev.lethe.accounts.Account;
import dev.lethe.accounts.BootstrapKeyFile;
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
import java.sql.SQLException;
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

        @Option(
                names = "--server",
                description = "Ask a running server instead of opening the database (needed while a server holds the"
                        + " embedded H2 database), e.g. http://127.0.0.1:8080; uses the key in --key-file.")
        String server;

        @Option(
                names = "--key-file",
                description = "With --server: a file holding an operator key (checks the platform's chain and every"
                        + " account's) or an account's admin key (checks that account's); default: this database's"
                        + " bootstrap operator key file in the data directory.")
        Path keyFile;

        @Override
        public Integer call() {
            if (server != null && !server.isBlank()) return askServer();
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
                        .println(
                                inUse(e)
                                        ? inUseAdvice()
                                        : "lethe: cannot open the database to verify the audit log: " + e.getMessage());
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

        private int askServer() {
            Path file = keyFile != null ? keyFile : Lethe.bootstrapKeyFile(storage.dataDir(), storage.database());
            var err = spec.commandLine().getErr();
            if (!Files.isReadable(file)) {
                err.println("lethe: cannot verify over " + server + ": no key file " + file + " (give --key-file: a"
                        + " file holding an operator key, or an account's admin key)");
                return 2;
            }
            if (account != null && !"platform".equals(account) && !Ids.isId(account)) {
                err.println("lethe: --account must be an account id (a uuid) or 'platform'");
                return 2;
            }
            try {
                return new ServerAudit(server, BootstrapKeyFile.read(file))
                                .verify(account, spec.commandLine().getOut())
                        ? 0
                        : 1;
            } catch (ServerAudit.Unreachable e) {
                err.println("lethe: cannot verify the audit log over " + server + ": " + e.getMessage());
                return 2;
            }
        }

        /**
         * True when the database could not be opened because another process has it open: H2's
         * "already in use" (error 90020), i.e. a running server holds the embedded database.
         */
        static boolean inUse(Throwable e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof SQLException sql && sql.getErrorCode() == 90020) return true;
                if (c.getMessage() != null && c.getMessage().contains("already in use")) return true;
            }
            return false;
        }

        /** What to do instead, in one paragraph, with the exact commands. */
        private String inUseAdvice() {
            Path file = Lethe.bootstrapKeyFile(storage.dataDir(), storage.database())
                    .toAbsolutePath();
            String dir = storage.dataDir().toAbsolutePath().toString();
            return "lethe: cannot verify the audit log here: the embedded database in " + dir
                    + " is open in a running Lethe server, and H2 lets only one process open it. Ask that server"
                    + " instead (it checks the same chains under the same key): lethe audit verify --data-dir " + dir
                    + " --server http://127.0.0.1:8080 (your server's address; it reads the operator key from "
                    + file + ", or give --key-file), or curl -s -H \"Authorization: Bearer $(cat " + file
                    + ")\" http://127.0.0.1:8080/v1/audit/verify (add ?account=<id> for an account's chain). Or"
                    + " stop the server and run this command again.";
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

package dev.lethe.accounts;

import dev.lethe.storage.SecretFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The file that holds a database's bootstrap operator key. Each database has a file of its own in
 * the data directory, so two databases that share one (the embedded H2, then a PostgreSQL) each
 * keep their key: the embedded database's is {@code bootstrap-operator.key}, any other's
 * {@code bootstrap-operator-<engine, host, port and name>-<hash of its URL>.key}. A key file is
 * never replaced: it is created new, or the start stops and says why.
 */
public final class BootstrapKeyFile {

    private BootstrapKeyFile() {}

    /** The file of the embedded database. */
    public static final String EMBEDDED = "bootstrap-operator.key";

    /**
     * The key file of the database at {@code url} in {@code dataDir}. {@code embedded} says the
     * URL is the data directory's own embedded database.
     */
    public static Path of(Path dataDir, String url, boolean embedded) {
        if (embedded) return dataDir.resolve(EMBEDDED);
        return dataDir.resolve("bootstrap-operator-" + label(url) + ".key");
    }

    /**
     * A readable name for a database URL: its engine, host, port and database name, then 8 hex
     * digits of a hash of the whole URL less any password (two schemas of one PostgreSQL database
     * are two Lethe databases). Never a password, nor the user or other settings in clear.
     */
    static String label(String url) {
        String u = url.startsWith("jdbc:") ? url.substring(5) : url;
        int cut = indexOfAny(u, "?;");
        String readable = (cut < 0 ? u : u.substring(0, cut)).replace("//", "");
        int at = readable.lastIndexOf('@'); // user:password@host
        if (at >= 0) readable = readable.substring(0, readable.indexOf(':') + 1) + readable.substring(at + 1);
        readable = readable.replaceAll("[^A-Za-z0-9.]+", "-").replaceAll("^-+|-+$", "");
        if (readable.length() > 80) readable = readable.substring(readable.length() - 80);
        String withoutPassword = url.replaceAll("(?i)password=[^&;]*", "").replaceAll("//[^/@]*@", "//");
        return readable.toLowerCase(Locale.ROOT) + "-" + sha256(withoutPassword).substring(0, 8);
    }

    /**
     * Writes a new key to its file, readable by its owner only (0600), refusing to replace a file
     * that exists: it may hold another database's key, or this one's from before it was emptied.
     */
    public static void create(Path file, String key) {
        try {
            SecretFiles.createOwnerOnly(file);
            Files.writeString(
                    file, key + "\n", StandardCharsets.UTF_8, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("the bootstrap operator key file " + file
                    + " already exists, and this database has no operator key yet: the file may hold another"
                    + " database's key, so it is not replaced. Move it away (keep it if another database"
                    + " needs it) and start again, or give --bootstrap-key / LETHE_BOOTSTRAP_KEY.");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the bootstrap operator key to " + file, e);
        }
    }

    /** The key a file holds (its first line, trimmed). */
    public static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the operator key file " + file, e);
        }
    }

    private static int indexOfAny(String text, String chars) {
        for (int i = 0; i < text.length(); i++) {
            if (chars.indexOf(text.charAt(i)) >= 0) return i;
        }
        return -1;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

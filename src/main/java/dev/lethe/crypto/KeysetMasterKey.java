package dev.lethe.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import dev.lethe.storage.SecretFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.util.Optional;

/**
 * A master key held as a Tink keyset (JSON): given in LETHE_MASTER_KEY, or read from a file under
 * the data directory, which is generated (mode 0600) on first start. Whoever holds it can unwrap
 * every account key: keep it out of backups of the database.
 */
public final class KeysetMasterKey implements MasterKey {

    private final Aead aead;

    private KeysetMasterKey(Aead aead) {
        this.aead = aead;
    }

    /** The keyset in {@code fromEnvironment} if given, else the file, created if missing. */
    public static KeysetMasterKey load(Optional<String> fromEnvironment, Path file) {
        try {
            if (fromEnvironment.isPresent()) return of(fromEnvironment.get());
            if (Files.exists(file)) return of(Files.readString(file));
            var handle = Tink.generate(PredefinedAeadParameters.AES256_GCM);
            String json = TinkJsonProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get());
            SecretFiles.createOwnerOnly(file);
            Files.writeString(file, json, StandardOpenOption.TRUNCATE_EXISTING);
            return of(json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the master key file " + file, e);
        } catch (GeneralSecurityException e) {
            throw new CryptoFailure("cannot serialise a new master key", e);
        }
    }

    /** A master key from a Tink JSON keyset. */
    public static KeysetMasterKey of(String keysetJson) {
        try {
            Tink.newAeadKeyset(); // makes sure Tink's key types are registered
            KeysetHandle handle = TinkJsonProtoKeysetFormat.parseKeyset(keysetJson, InsecureSecretKeyAccess.get());
            return new KeysetMasterKey(handle.getPrimitive(RegistryConfiguration.get(), Aead.class));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "the master key (--master-key / LETHE_MASTER_KEY, or the master key file) is not a Tink AEAD keyset in JSON",
                    e);
        }
    }

    @Override
    public byte[] wrap(byte[] keyMaterial, byte[] context) {
        try {
            return aead.encrypt(keyMaterial, context);
        } catch (GeneralSecurityException e) {
            throw new CryptoFailure("cannot wrap a key", e);
        }
    }

    @Override
    public byte[] unwrap(byte[] wrapped, byte[] context) {
        try {
            return aead.decrypt(wrapped, context);
        } catch (GeneralSecurityException e) {
            throw new CryptoFailure("cannot unwrap a key: wrong master key, or the wrapped key was altered", e);
        }
    }
}

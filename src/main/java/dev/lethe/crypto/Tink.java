package dev.lethe.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.Parameters;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.AesGcmKey;
import com.google.crypto.tink.aead.AesGcmParameters;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.prf.PredefinedPrfParameters;
import com.google.crypto.tink.prf.PrfConfig;
import com.google.crypto.tink.prf.PrfSet;
import com.google.crypto.tink.subtle.AesGcmJce;
import com.google.crypto.tink.util.SecretBytes;
import java.security.GeneralSecurityException;

/** The few Tink operations Lethe uses, in one place, with its key types registered once. */
final class Tink {

    static {
        try {
            AeadConfig.register();
            PrfConfig.register();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final AesGcmParameters AES256_GCM_RAW = aes256GcmRaw();

    private Tink() {}

    private static AesGcmParameters aes256GcmRaw() {
        try {
            return AesGcmParameters.builder()
                    .setKeySizeBytes(32)
                    .setIvSizeBytes(12)
                    .setTagSizeBytes(16)
                    .setVariant(AesGcmParameters.Variant.NO_PREFIX)
                    .build();
        } catch (GeneralSecurityException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A new AES-256-GCM keyset, serialised (to be wrapped before it is stored). */
    static byte[] newAeadKeyset() {
        return serialise(generate(PredefinedAeadParameters.AES256_GCM));
    }

    /** A new HMAC-SHA256 PRF keyset, serialised (for blind indexes). */
    static byte[] newPrfKeyset() {
        return serialise(generate(PredefinedPrfParameters.HMAC_SHA256_PRF));
    }

    /**
     * A new HKDF-SHA256 PRF keyset: a subject key, from which one AES-256-GCM key per category is
     * derived ({@link #aesGcm}). Returned as a handle: a batch of new subject keys serialises
     * each one (to wrap it) and takes its PRF from the same handle, rather than parsing the bytes
     * it has just written.
     */
    static KeysetHandle newHkdfKeysetHandle() {
        return generate(PredefinedPrfParameters.HKDF_SHA256);
    }

    /** The bytes of a keyset handle (to be wrapped before they are stored). */
    static byte[] serialised(KeysetHandle handle) {
        return serialise(handle);
    }

    static PrfSet prf(KeysetHandle handle) {
        try {
            return handle.getPrimitive(RegistryConfiguration.get(), PrfSet.class);
        } catch (GeneralSecurityException e) {
            throw new CryptoFailure("not a PRF keyset", e);
        }
    }

    /**
     * AES-256-GCM under 32 given bytes (a derived or unwrapped category key). No output prefix:
     * the value row names its key, so the ciphertext need not.
     */
    static Aead aesGcm(byte[] keyBytes) {
        try {
            var key = AesGcmKey.builder()
                    .setParameters(AES256_GCM_RAW)
                    .setKeyBytes(SecretBytes.copyFrom(keyBytes, InsecureSecretKeyAccess.get()))
                    .build();
            return AesGcmJce.create(key);
        } catch (GeneralSecurityException e) {
            throw new CryptoFailure("cannot make an AES-GCM key", e);
        }
    }

    static Aead aead(byte[] keyset) {
        try {
            return parse(keyset).getPrimitive(RegistryConfiguration.get(), Aead.class);
        } catch (GeneralSecurityException e) {
            throw new CryptoFailure("not an AEAD keyset", e);
        }
    }

    static PrfSet prf(byte[] keyset) {
        try {
            return parse(keyset).getPrimitive(RegistryConfiguration.get(), PrfSet.class);
        } catch (GeneralSecurityException e) {
            throw new CryptoFailure("not a PRF keyset", e);
        }
    }

    static KeysetHandle generate(Parameters parameters) {
        try {
            return KeysetHandle.generateNew(parameters);
        } catch (GeneralSecurityException e) {
            throw new CryptoFailure("cannot generate a key", e);
        }
    }

    private static byte[] serialise(KeysetHandle handle) {
        try {
            return TinkProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get());
        } catch (GeneralSecurityException e) {
            throw new CryptoFailure("cannot serialise a key", e);
        }
    }

    private static KeysetHandle parse(byte[] keyset) throws GeneralSecurityException {
        return TinkProtoKeysetFormat.parseKeyset(keyset, InsecureSecretKeyAccess.get());
    }
}

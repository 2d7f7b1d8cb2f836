package dev.lethe.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Files that hold secrets (the master keyset, the bootstrap operator key). */
public final class SecretFiles {

    private SecretFiles() {}

    /**
     * Creates a new, empty file readable and writable by its owner only (0600); fails with
     * {@link java.nio.file.FileAlreadyExistsException} rather than replace one. On a file system
     * without POSIX permissions the platform's defaults apply.
     */
    public static void createOwnerOnly(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(file);
        }
    }
}

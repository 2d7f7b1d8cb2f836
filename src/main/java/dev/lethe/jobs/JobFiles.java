package dev.lethe.jobs;

import dev.lethe.crypto.CryptoFailure;
import dev.lethe.crypto.Keyring;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A job's files (an uploaded import, an export's CSV): byte streams kept in the database in
 * chunks of up to {@link #CHUNK_BYTES}, each sealed under the job's own account key (purpose
 * {@code job/<id>}) with the chunk's place bound into it, so chunks cannot be swapped or moved to
 * another job. Every server reaches them; memory holds one chunk at a time. {@link #destroy}
 * deletes the chunks and the key: what a backup kept of them no longer opens.
 */
public final class JobFiles {

    /** The most bytes one chunk holds. */
    public static final int CHUNK_BYTES = 1 << 20;

    /** A stream's name: a label, since it is part of the key's context and of the row's key. */
    private static final Pattern STREAM = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    /** Thrown while reading a file whose key was destroyed (an erasure, an expiry, a cancel). */
    public static final class Gone extends IOException {
        Gone(String what) {
            super(what);
        }
    }

    private final Jdbi jdbi;
    private final JdbcJobStore store;
    private final Keyring keyring;

    JobFiles(Jdbi jdbi, JdbcJobStore store, Keyring keyring) {
        this.jdbi = jdbi;
        this.store = store;
        this.keyring = keyring;
    }

    /**
     * Destroys the job's key alone, in the caller's transaction: its files and sealed parameters
     * no longer open (the rows stay until the job's files are deleted). The one place outside
     * this class that needs a job's key gone, removing a person held in an export, calls this.
     */
    public static void destroyKey(Keyring keyring, Handle h, String accountId, String jobId) {
        keyring.destroyAccountKey(h, accountId, purpose(jobId));
    }

    /** The key purpose of a job's files and sealed parameters. */
    static String purpose(String jobId) {
        return "job/" + jobId;
    }

    /** A job file being written: {@link #close} seals its last chunk; {@link #abort} leaves it unfinished. */
    public abstract static class Writer extends OutputStream {
        /** Drops what is not yet written: the file stays without its last chunk, so it never reads as whole. */
        public abstract void abort();
    }

    /**
     * A new file for the job: each full chunk is sealed and written in its own transaction as it
     * fills, and the last one, marked as the last, at {@link OutputStream#close}. A file without
     * its last chunk (a crash, an {@link Writer#abort}) never reads as whole: {@link #open} ends
     * with {@link Gone}. Each write checks that the job still keeps its files (under its row
     * lock) and seals under its existing key only, so a job whose files were deleted (an erasure,
     * a cancel, an expiry) gets {@link Gone} here and no new chunk or key appears after the
     * deletion. Writing a stream that exists already fails on the first chunk: {@link #delete} it
     * first to write it again.
     */
    public Writer create(String accountId, String jobId, String stream) {
        checkStream(stream);
        return new Writer() {
            private final byte[] buffer = new byte[CHUNK_BYTES];
            private int filled;
            private int seq;
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
                if (closed) throw new IOException("the job file is closed");
                if (filled == buffer.length) flush(false);
                buffer[filled++] = (byte) b;
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                while (len > 0) {
                    if (closed) throw new IOException("the job file is closed");
                    if (filled == buffer.length) flush(false);
                    int n = Math.min(len, buffer.length - filled);
                    System.arraycopy(b, off, buffer, filled, n);
                    filled += n;
                    off += n;
                    len -= n;
                }
            }

            private void flush(boolean last) throws IOException {
                byte[] plain = java.util.Arrays.copyOf(buffer, filled);
                int at = seq;
                boolean written = jdbi.inTransaction(h -> {
                    var job = store.lock(h, accountId, jobId);
                    if (job.isEmpty() || !job.get().files() || job.get().state().isFinal()) return false;
                    try {
                        var sealed = keyring.sealUnderExistingAccountKey(
                                h, accountId, purpose(jobId), valueId(stream, at, last), plain);
                        store.insertChunk(h, accountId, jobId, stream, at, sealed.ciphertext());
                        return true;
                    } catch (CryptoFailure e) {
                        return false;
                    }
                });
                if (!written) {
                    closed = true;
                    throw new Gone("the job's files were deleted");
                }
                seq++;
                filled = 0;
            }

            @Override
            public void close() throws IOException {
                if (closed) return;
                flush(true);
                closed = true;
            }

            @Override
            public void abort() {
                closed = true;
            }
        };
    }

    /**
     * The file as written, read a chunk at a time; {@link Gone} when the job's files were deleted,
     * its key destroyed, or the file never finished (no last chunk). A file never written at all
     * reads as {@link Gone} too.
     */
    public InputStream open(String accountId, String jobId, String stream) {
        checkStream(stream);
        return new InputStream() {
            private byte[] chunk = new byte[0];
            private int at;
            private int seq;
            private boolean last;

            private boolean fill() throws IOException {
                while (at >= chunk.length) {
                    if (last) return false;
                    int want = seq;
                    var next = jdbi.withHandle(
                            h -> store.chunk(h, accountId, jobId, stream, want).map(bytes -> open(h, want, bytes)));
                    if (next.isEmpty() || next.get() == null) throw new Gone("the job's file is gone or unfinished");
                    chunk = next.get().plain();
                    last = next.get().last();
                    at = 0;
                    seq++;
                }
                return true;
            }

            private Opened open(Handle h, int seqNo, byte[] ciphertext) {
                String keyId = keyring.accountKeyId(accountId, purpose(jobId));
                for (boolean isLast : new boolean[] {false, true}) {
                    try {
                        return new Opened(
                                keyring.openForAccount(
                                        h,
                                        accountId,
                                        keyId,
                                        purpose(jobId),
                                        valueId(stream, seqNo, isLast),
                                        ciphertext),
                                isLast);
                    } catch (CryptoFailure e) {
                        // not sealed as this kind of chunk (or the key is gone): try the other, then give up
                    }
                }
                return null;
            }

            @Override
            public int read() throws IOException {
                if (!fill()) return -1;
                return chunk[at++] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                if (len == 0) return 0;
                if (!fill()) return -1;
                int n = Math.min(len, chunk.length - at);
                System.arraycopy(chunk, at, b, off, n);
                at += n;
                return n;
            }
        };
    }

    private record Opened(byte[] plain, boolean last) {}

    /** Thrown by {@link #stage} when the input is longer than it may be. */
    public static final class TooLarge extends IOException {
        TooLarge(long max) {
            super("longer than " + max + " bytes");
        }
    }

    /**
     * Copies {@code in} (an upload, as it arrives) into a new file of the job, sealed chunk by
     * chunk: memory holds one chunk whatever the size. Stops with {@link TooLarge} after {@code
     * maxBytes}, leaving the file unfinished (it never reads as whole); the caller then ends the
     * job ({@code JobService#uploadFailed}), which deletes its files. The job's row must be
     * committed first (chunks refer to it).
     *
     * @return how many bytes were staged
     */
    public long stage(String accountId, String jobId, String stream, InputStream in, long maxBytes) throws IOException {
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        var out = create(accountId, jobId, stream);
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
                if (total > maxBytes) throw new TooLarge(maxBytes);
                out.write(buffer, 0, n);
            }
            out.close();
        } catch (IOException | RuntimeException e) {
            out.abort();
            throw e;
        }
        return total;
    }

    /** Deletes one of the job's files (to write it again); the key stays. */
    public void delete(String accountId, String jobId, String stream) {
        checkStream(stream);
        jdbi.useTransaction(h -> store.deleteChunks(h, accountId, jobId, stream));
    }

    /**
     * Deletes every file of the job and destroys its key (and with it the job's sealed
     * parameters), in the caller's transaction.
     */
    public void destroy(Handle h, String accountId, String jobId) {
        store.deleteChunks(h, accountId, jobId, null);
        destroyKey(keyring, h, accountId, jobId);
        store.filesGone(h, accountId, jobId);
    }

    /** Seals a job's parameters that hold personal values (a filter, an address) under its key. */
    byte[] seal(Handle h, String accountId, String jobId, byte[] plain) {
        return keyring.sealUnderExistingAccountKey(h, accountId, purpose(jobId), "params", plain)
                .ciphertext();
    }

    /** Opens what {@link #seal} sealed; empty when its key was destroyed. */
    java.util.Optional<byte[]> unseal(Handle h, String accountId, String jobId, byte[] sealed) {
        try {
            return java.util.Optional.of(keyring.openForAccount(
                    h, accountId, keyring.accountKeyId(accountId, purpose(jobId)), purpose(jobId), "params", sealed));
        } catch (CryptoFailure e) {
            return java.util.Optional.empty();
        }
    }

    /** A chunk's place, bound into its seal: the last chunk says so, so a file cut short never reads as whole. */
    private static String valueId(String stream, int seq, boolean last) {
        return "file/" + stream + "/" + seq + (last ? "/last" : "");
    }

    private static void checkStream(String stream) {
        if (stream == null || !STREAM.matcher(stream).matches())
            throw new IllegalArgumentException("a job file's name is a label: " + stream);
    }
}

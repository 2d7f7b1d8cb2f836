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

    /** The key purpose of a job's files and sealed parameters. */
    static String purpose(String jobId) {
        return "job/" + jobId;
    }

    /**
     * A new file for the job: each full chunk is sealed and written in its own transaction as it
     * fills, the last one at {@link OutputStream#close}. Writing a stream that exists already adds
     * to it from chunk 0 and fails on the first chunk: {@link #delete} it first to write it again.
     */
    public OutputStream create(String accountId, String jobId, String stream) {
        checkStream(stream);
        return new OutputStream() {
            private final byte[] buffer = new byte[CHUNK_BYTES];
            private int filled;
            private int seq;
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
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

            private void flush(boolean last) {
                if (filled == 0 && !(last && seq == 0)) return;
                byte[] plain = java.util.Arrays.copyOf(buffer, filled);
                int at = seq++;
                jdbi.useTransaction(h -> {
                    var sealed = keyring.sealForAccount(h, accountId, purpose(jobId), valueId(stream, at), plain);
                    store.insertChunk(h, accountId, jobId, stream, at, sealed.ciphertext());
                });
                filled = 0;
            }

            @Override
            public void close() {
                if (closed) return;
                flush(true);
                closed = true;
            }
        };
    }

    /**
     * The file as written, read a chunk at a time; {@link Gone} when the job's files were deleted
     * or its key destroyed. A file of a job with files that was never written reads as empty.
     */
    public InputStream open(String accountId, String jobId, String stream) {
        checkStream(stream);
        return new InputStream() {
            private byte[] chunk = new byte[0];
            private int at;
            private int seq;
            private boolean end;

            private boolean fill() throws IOException {
                if (seq == 0 && !end && at >= chunk.length) {
                    boolean kept = jdbi.withHandle(h -> store.find(h, accountId, jobId)
                            .map(JdbcJobStore.Row::files)
                            .orElse(false));
                    if (!kept) throw new Gone("the job's files were deleted");
                }
                while (!end && at >= chunk.length) {
                    int want = seq;
                    var next = jdbi.withHandle(
                            h -> store.chunk(h, accountId, jobId, stream, want).map(bytes -> open(h, want, bytes)));
                    if (next.isEmpty()) {
                        end = true;
                        return false;
                    }
                    if (next.get() == null) throw new Gone("the job's files were deleted");
                    chunk = next.get();
                    at = 0;
                    seq++;
                }
                return at < chunk.length;
            }

            private byte[] open(Handle h, int seqNo, byte[] ciphertext) {
                try {
                    return keyring.openForAccount(
                            h,
                            accountId,
                            keyring.accountKeyId(accountId, purpose(jobId)),
                            purpose(jobId),
                            valueId(stream, seqNo),
                            ciphertext);
                } catch (CryptoFailure e) {
                    return null;
                }
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

    /** Thrown by {@link #stage} when the input is longer than it may be. */
    public static final class TooLarge extends IOException {
        TooLarge(long max) {
            super("longer than " + max + " bytes");
        }
    }

    /**
     * Copies {@code in} (an upload, as it arrives) into a new file of the job, sealed chunk by
     * chunk: memory holds one chunk whatever the size. Stops with {@link TooLarge} after {@code
     * maxBytes}; the caller then deletes the job's files (or the transaction that made the job
     * never commits them: a job not yet recorded has no row, and its chunks are removed by {@link
     * #delete}).
     *
     * @return how many bytes were staged
     */
    public long stage(String accountId, String jobId, String stream, InputStream in, long maxBytes) throws IOException {
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        try (var out = create(accountId, jobId, stream)) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
                if (total > maxBytes) throw new TooLarge(maxBytes);
                out.write(buffer, 0, n);
            }
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
        keyring.destroyAccountKey(h, accountId, purpose(jobId));
        store.filesGone(h, accountId, jobId);
    }

    /** Seals a job's parameters that hold personal values (a filter, an address) under its key. */
    byte[] seal(Handle h, String accountId, String jobId, byte[] plain) {
        return keyring.sealForAccount(h, accountId, purpose(jobId), "params", plain)
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

    private static String valueId(String stream, int seq) {
        return "file/" + stream + "/" + seq;
    }

    private static void checkStream(String stream) {
        if (stream == null || !STREAM.matcher(stream).matches())
            throw new IllegalArgumentException("a job file's name is a label: " + stream);
    }
}

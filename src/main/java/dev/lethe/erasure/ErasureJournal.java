package dev.lethe.erasure;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The erasure journal: every erasure, appended as one JSON line and forced to disk before its
 * answer, in a file outside the database (beside the data directory, or where the operator says).
 * Restoring a database backup cannot roll it back, so a backup taken before an erasure gets the
 * erasure again when it is started ({@link Erasures#replay}). Ids and blind indexes only: the
 * journal holds no personal value, and names no one to whoever lacks the account's index key.
 */
public final class ErasureJournal {

    private static final Logger log = LoggerFactory.getLogger(ErasureJournal.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One suppressed identifier: its kind (wire name) and blind index. */
    public record Index(String kind, String index) {}

    /** One erasure as journalled. {@code at} is an ISO instant. */
    public record Entry(
            String erasureId, String accountId, String subjectId, String requestId, String at, List<Index> suppress) {
        public Entry {
            suppress = List.copyOf(suppress);
        }
    }

    private final Path file;

    public ErasureJournal(Path file) {
        this.file = file;
    }

    /** The journal's file. */
    public Path file() {
        return file;
    }

    /** Appends an entry and forces it to disk before returning. */
    public void append(Entry entry) {
        appendAll(List.of(entry));
    }

    /**
     * Appends entries (a bulk deletion's batch) in one write and forces them to disk once before
     * returning: one disk flush for the batch instead of one per erasure.
     */
    public synchronized void appendAll(List<Entry> entries) {
        if (entries.isEmpty()) return;
        byte[] line;
        try {
            var text = new StringBuilder();
            for (var entry : entries)
                text.append(JSON.writeValueAsString(entry)).append('\n');
            line = text.toString().getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a journal entry", e);
        }
        try {
            var parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            try (var channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                var buffer = ByteBuffer.wrap(line);
                while (buffer.hasRemaining()) channel.write(buffer);
                channel.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the erasure journal " + file, e);
        }
    }

    /**
     * Every entry, in the order written; a line that does not read (the torn end of a write a crash
     * cut short, whose erasure was then never answered) is skipped and logged by its number.
     */
    public synchronized List<Entry> entries() {
        if (!Files.exists(file)) return List.of();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the erasure journal " + file, e);
        }
        var out = new ArrayList<Entry>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            try {
                out.add(JSON.readValue(lines.get(i), Entry.class));
            } catch (JsonProcessingException e) {
                log.warn("erasure journal line {} does not read and is skipped", i + 1);
            }
        }
        return out;
    }
}

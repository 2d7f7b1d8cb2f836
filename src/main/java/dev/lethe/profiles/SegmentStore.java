package dev.lethe.profiles;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/** Saved segments. Methods run on the caller's handle. */
public interface SegmentStore {

    void insert(Handle h, String accountId, Segment segment, Instant at);

    /** Replaces the segment's name and filter; false when the account has no such segment. */
    boolean update(Handle h, String accountId, Segment segment);

    /** False when the account has no such segment. */
    boolean delete(Handle h, String accountId, String segmentId);

    Optional<Segment> byId(Handle h, String accountId, String segmentId);

    Optional<Segment> byName(Handle h, String accountId, String name);

    List<Segment> list(Handle h, String accountId);
}

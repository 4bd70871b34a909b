package dev.spur.store;

import dev.spur.common.EventSourceMapping;
import java.util.List;

/**
 * Event-source mappings as stored, one document each, keyed by account, region and UUID. Failure
 * semantics as {@link FunctionStore}: one transaction per call, recorded in the {@link ChangeFeed}.
 */
public interface MappingStore {

    /** Stores a mapping: a new one ({@code create}: 409 if the UUID is taken) or a replacement (404 if it is gone). */
    void putMapping(EventSourceMapping mapping, boolean create);

    boolean deleteMapping(String account, String region, String uuid);

    /** Every account's mappings, ordered by account, region and UUID. */
    List<EventSourceMapping> allMappings();
}

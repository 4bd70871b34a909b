package dev.spur.store;

import dev.spur.common.HttpApi;
import java.util.List;
import java.util.Optional;

/**
 * HTTP APIs (the gateway's definitions) as stored, one document each, keyed by API id alone (requests
 * are routed by it). Failure semantics as {@link FunctionStore}: one transaction per call, recorded in
 * the {@link ChangeFeed}.
 */
public interface ApiStore {

    /** Stores an HTTP API: a new one ({@code create}: 409 if its id is taken) or a replacement (404 if gone). */
    void putHttpApi(HttpApi api, boolean create);

    boolean deleteHttpApi(String apiId);

    Optional<HttpApi> findHttpApi(String apiId);

    /** Every HTTP API of every account, for warming the gateway's routing table at start. */
    List<HttpApi> allHttpApis();
}

package dev.spur.control;

import dev.spur.common.Arns;
import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import dev.spur.runtimes.Runtimes;
import dev.spur.scheduler.Deployment;
import dev.spur.store.CodeStore;
import dev.spur.store.MetadataStore;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The functions this server knows, read from memory on the invoke path and written through to the
 * metadata store. The store stays the truth: the cache is filled from it at start and every change
 * is stored before it becomes visible here.
 */
final class FunctionRegistry {
    private final CodeStore code;
    private final Runtimes runtimes;
    private final ConcurrentMap<FunctionKey, Deployment> latest = new ConcurrentHashMap<>();

    FunctionRegistry(MetadataStore store, CodeStore code, Runtimes runtimes) {
        this.code = code;
        this.runtimes = runtimes;
        for (FunctionConfig config : store.allFunctions()) {
            if (config.version().equals(Arns.LATEST)) {
                latest.put(config.key(), deployment(config));
            }
        }
    }

    /** The deployment of {@code $LATEST}; 404 as Lambda words it if absent. */
    Deployment require(FunctionKey key, Optional<String> qualifier) {
        String q = qualifier.orElse(Arns.LATEST);
        Deployment d = latest.get(key);
        if (d == null || !q.equals(Arns.LATEST)) {
            throw LambdaException.notFound("Function not found: %s",
                    qualifier.isPresent() ? key.qualifiedArn(q) : key.arn());
        }
        return d;
    }

    Optional<FunctionConfig> find(FunctionKey key) {
        Deployment d = latest.get(key);
        return d == null ? Optional.empty() : Optional.of(d.config());
    }

    void created(FunctionConfig config) {
        latest.put(config.key(), deployment(config));
    }

    void updated(FunctionConfig config) {
        latest.put(config.key(), deployment(config));
    }

    void deleted(FunctionKey key) {
        latest.remove(key);
    }

    private Deployment deployment(FunctionConfig config) {
        // A runtime missing on this machine (stored by another installation) fails at invoke, not at start.
        return new Deployment(config, runtimes.find(config.runtime()).orElse(null),
                code.unpackedDirectory(config.code().sha256Hex()));
    }
}

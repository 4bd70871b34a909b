package dev.spur.control;

import dev.spur.common.Alias;
import dev.spur.common.Arns;
import dev.spur.common.FunctionAttachments;
import dev.spur.common.FunctionConfig;
import dev.spur.common.FunctionKey;
import dev.spur.common.LambdaException;
import dev.spur.pools.Deployment;
import dev.spur.runtimes.Runtimes;
import dev.spur.store.CodeStore;
import dev.spur.store.MetadataStore;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The functions this server knows, read from memory on the invoke path and written through to the
 * metadata store. The store stays the truth: the cache is filled from it at start, every change made
 * here is stored before it becomes visible here, and changes made by other nodes come in through the
 * change feed ({@link FunctionChanges}). Each function is one immutable {@link Entry}, replaced whole
 * under the function's lock, so a reader always sees a consistent function.
 */
final class FunctionRegistry {
    private final CodeStore code;
    private final Runtimes runtimes;
    private final ConcurrentMap<FunctionKey, Entry> functions = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, UrlTarget> urls = new ConcurrentHashMap<>();

    FunctionRegistry(MetadataStore store, CodeStore code, Runtimes runtimes) {
        this.code = code;
        this.runtimes = runtimes;
        for (MetadataStore.StoredFunction fn : store.allFunctions()) {
            put(entryOf(fn));
        }
    }

    /** A function as read from the store. */
    Entry entryOf(MetadataStore.StoredFunction fn) {
        SortedMap<String, Deployment> versions = new TreeMap<>(FunctionRegistry::compareVersions);
        fn.versions().forEach(v -> versions.put(v.version(), deployment(v)));
        return new Entry(deployment(fn.latest()), Collections.unmodifiableSortedMap(versions), fn.attachments());
    }

    /**
     * One function as the server sees it.
     *
     * @param versions published versions by number, in numeric order
     */
    record Entry(Deployment latest, SortedMap<String, Deployment> versions, FunctionAttachments attachments) {
        FunctionKey key() {
            return latest.config().key();
        }

        FunctionConfig config() {
            return latest.config();
        }

        Entry withLatest(Deployment newLatest) {
            return new Entry(newLatest, versions, attachments);
        }

        Entry withAttachments(FunctionAttachments newAttachments) {
            return new Entry(latest, versions, newAttachments);
        }

        Entry withVersion(Deployment version, FunctionAttachments newAttachments) {
            SortedMap<String, Deployment> all = new TreeMap<>(FunctionRegistry::compareVersions);
            all.putAll(versions);
            all.put(version.config().version(), version);
            return new Entry(latest, Collections.unmodifiableSortedMap(all), newAttachments);
        }

        Entry withoutVersion(String version, FunctionAttachments newAttachments) {
            SortedMap<String, Deployment> all = new TreeMap<>(FunctionRegistry::compareVersions);
            all.putAll(versions);
            all.remove(version);
            return new Entry(latest, Collections.unmodifiableSortedMap(all), newAttachments);
        }

        /** {@code $LATEST} or a published version; empty if there is no such version. */
        Optional<Deployment> version(String version) {
            if (Arns.LATEST.equals(version)) {
                return Optional.of(latest);
            }
            return isVersionNumber(version) ? Optional.ofNullable(versions.get(version)) : Optional.empty();
        }

        Optional<FunctionConfig> lastPublished() {
            return versions.isEmpty()
                    ? Optional.empty()
                    : Optional.of(versions.get(versions.lastKey()).config());
        }

        /**
         * The version a qualifier names: itself for {@code $LATEST} or a number, the alias's primary
         * version for an alias. 404 worded as Lambda words it when there is none.
         */
        Deployment resolveStatic(String qualifier) {
            Optional<Deployment> direct = version(qualifier);
            if (direct.isPresent()) {
                return direct.get();
            }
            Alias alias = attachments.aliases().get(qualifier);
            if (alias != null) {
                return version(alias.functionVersion()).orElseThrow(() -> notFound(key(), qualifier));
            }
            throw notFound(key(), qualifier);
        }

        /** As {@link #resolveStatic}, but an alias with a routing configuration picks a version by weight. */
        Deployment resolveForInvoke(String qualifier) {
            Alias alias = attachments.aliases().get(qualifier);
            if (alias == null || alias.additionalVersionWeights().isEmpty()) {
                return resolveStatic(qualifier);
            }
            var extra = alias.additionalVersionWeights().entrySet().iterator().next();
            String picked = ThreadLocalRandom.current().nextDouble() < extra.getValue()
                    ? extra.getKey()
                    : alias.functionVersion();
            return version(picked).orElseThrow(() -> notFound(key(), qualifier));
        }
    }

    /** The function; 404 as Lambda words it if absent. */
    Entry require(FunctionKey key) {
        Entry e = functions.get(key);
        if (e == null) {
            throw LambdaException.notFound("Function not found: %s", key.arn());
        }
        return e;
    }

    Optional<Entry> find(FunctionKey key) {
        return Optional.ofNullable(functions.get(key));
    }

    /** The deployment a request should run: {@code $LATEST} without a qualifier. */
    Deployment resolveForInvoke(FunctionKey key, Optional<String> qualifier) {
        Entry e = functions.get(key);
        if (e == null) {
            throw qualifier.isPresent()
                    ? notFound(key, qualifier.get())
                    : LambdaException.notFound("Function not found: %s", key.arn());
        }
        return qualifier.isEmpty() ? e.latest() : e.resolveForInvoke(qualifier.get());
    }

    Optional<UrlTarget> url(String urlId) {
        return Optional.ofNullable(urls.get(urlId));
    }

    List<Entry> all() {
        return List.copyOf(functions.values());
    }

    void put(Entry entry) {
        Entry previous = functions.put(entry.key(), entry);
        if (previous != null) {
            previous.attachments().urls().values().forEach(u -> urls.remove(u.urlId()));
        }
        entry.attachments().urls().values().forEach(u -> urls.put(u.urlId(), new UrlTarget(entry.key(), u)));
    }

    void remove(FunctionKey key) {
        Entry previous = functions.remove(key);
        if (previous != null) {
            previous.attachments().urls().values().forEach(u -> urls.remove(u.urlId()));
        }
    }

    Deployment deployment(FunctionConfig config) {
        // A runtime missing on this machine (stored by another installation) fails at invoke, not at start.
        return new Deployment(
                config,
                runtimes.find(config.runtime()).orElse(null),
                code.unpackedDirectory(config.code().sha256Hex()),
                config.layers().isEmpty()
                        ? Optional.empty()
                        : Optional.of(code.layersDirectory(ControlPlane.layerHashes(config))));
    }

    static LambdaException notFound(FunctionKey key, String qualifier) {
        return LambdaException.notFound("Function not found: %s", key.qualifiedArn(qualifier));
    }

    static boolean isVersionNumber(String text) {
        if (text.isEmpty() || text.length() > 18) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** {@code $LATEST} first, then published versions by number. */
    static int compareVersions(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        if (a.equals(Arns.LATEST)) {
            return -1;
        }
        if (b.equals(Arns.LATEST)) {
            return 1;
        }
        return Long.compare(Long.parseLong(a), Long.parseLong(b));
    }
}

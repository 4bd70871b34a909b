package dev.spur.store;

import java.nio.file.Path;

/** Placeholder: the SQLite implementation lands with the store work. */
abstract class SqliteMetadataStore implements MetadataStore {
    static MetadataStore open(Path file) {
        throw new UnsupportedOperationException("not yet built");
    }
}

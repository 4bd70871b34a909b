package dev.spur.store;

import java.nio.file.Path;
import java.util.Set;

/** Placeholder: the file-backed implementation lands with the store work. */
final class FileCodeStore implements CodeStore {
    FileCodeStore(Path directory, long maxZipBytes, long maxUnpackedBytes) {
        throw new UnsupportedOperationException("not yet built");
    }

    @Override public StoredCode store(byte[] zip) { throw new UnsupportedOperationException(); }
    @Override public Path unpackedDirectory(String sha256Hex) { throw new UnsupportedOperationException(); }
    @Override public Path zipFile(String sha256Hex) { throw new UnsupportedOperationException(); }
    @Override public void retainOnly(Set<String> keep) { throw new UnsupportedOperationException(); }
}

package dev.spur.store;

import dev.spur.common.LambdaException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A function's layers merged into one read-only tree, what its environment sees at {@code /opt}: the
 * packages' files in order, a later layer's file replacing an earlier one's at the same path (as
 * Lambda extracts layers one after the other into {@code /opt}).
 *
 * <p>The tree is keyed by the ordered list of packages ({@link #key}) and lives in the code store's
 * directory beside the packages, built once per distinct list: files are hard links to the unpacked
 * packages (copies where a link cannot be made), so a merge costs directory entries, not bytes. It
 * is built in a temporary directory, made read-only and renamed into place, so it is complete when it
 * is visible; two builds of one list race harmlessly (the first rename wins). It has no zip, so the
 * store's clean-up at start removes it with the unused packages; it is rebuilt on first use.
 */
final class LayerTrees {
    private LayerTrees() {}

    /** The merged tree's name: a SHA-256 over the ordered list, never equal to a package's own hash in practice. */
    static String key(List<String> sha256Hexes) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update("spur-layers\n".getBytes(StandardCharsets.UTF_8));
            digest.update(String.join("\n", sha256Hexes).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JDK has SHA-256", e);
        }
    }

    /**
     * Merges {@code sources} (unpacked packages, in order) into {@code target} unless it is there.
     *
     * @throws LambdaException 500 if the local disk fails; nothing partial is left at {@code target}
     */
    static Path merge(List<Path> sources, Path target) {
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            return target;
        }
        Path temp = target.resolveSibling(".tmp-" + UUID.randomUUID());
        try {
            try {
                Files.createDirectory(temp);
                for (Path source : sources) {
                    overlay(source, temp);
                }
                FileTrees.makeDirectoriesReadOnly(temp);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    FileTrees.deleteTree(temp); // another build of the same list got there first
                    return target;
                }
                FileTrees.deleteTree(temp);
                throw e;
            }
        } catch (IOException e) {
            throw LambdaException.internal("Could not merge the function's layers", e);
        }
        return target;
    }

    private static void overlay(Path source, Path into) throws IOException {
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path from : (Iterable<Path>) walk::iterator) {
                Path to = into.resolve(source.relativize(from).toString());
                if (from.equals(source)) {
                    continue;
                }
                if (Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
                    if (!Files.isDirectory(to, LinkOption.NOFOLLOW_LINKS)) {
                        Files.deleteIfExists(to); // an earlier layer's file where this one has a directory
                        Files.createDirectory(to);
                    }
                } else {
                    if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
                        FileTrees.deleteTree(to); // the later layer wins
                    }
                    link(from, to);
                }
            }
        }
    }

    private static void link(Path from, Path to) throws IOException {
        try {
            Files.createLink(to, from);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
        }
    }
}

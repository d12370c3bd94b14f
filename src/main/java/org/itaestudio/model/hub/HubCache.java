package org.itaestudio.model.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The on-disk layout of a Hugging Face hub cache, as huggingface_hub writes it:
 * <pre>
 * ROOT/models--facebook--dinov2-small/
 *     refs/main                         the commit hash the branch pointed to (no newline)
 *     blobs/&lt;etag&gt;                      file contents, named by sha256 (LFS) or git blob sha1
 *     blobs/&lt;etag&gt;.incomplete           a transfer in progress or interrupted (resumable)
 *     snapshots/&lt;commit&gt;/config.json     relative symlink to ../../blobs/&lt;etag&gt; (a copy where symlinks fail)
 * ROOT/.locks/models--facebook--dinov2-small/&lt;etag&gt;.lock   inter-process download lock
 * ROOT/CACHEDIR.TAG                     marks the folder as a cache for backup tools
 * </pre>
 */
public final class HubCache {

    /** A component that is safe as one file name (no separators, not . or ..). */
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern COMMIT_HASH = Pattern.compile("[0-9a-f]{40}");

    private final Path root;

    public HubCache(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** {@code models--org--name}, the folder name huggingface_hub uses for a model repo. */
    public static String repoFolderName(String repoId) {
        requireRepoId(repoId);
        return "models--" + repoId.replace("/", "--");
    }

    public Path repoFolder(String repoId) {
        return root.resolve(repoFolderName(repoId));
    }

    public Path blobPath(String repoId, String etag) {
        return repoFolder(repoId).resolve("blobs").resolve(requireSafe(etag, "etag"));
    }

    /** The temporary file a blob is downloaded into: {@code blobs/<etag>.incomplete}. */
    public Path incompletePath(String repoId, String etag) {
        Path blob = blobPath(repoId, etag);
        return blob.resolveSibling(blob.getFileName() + ".incomplete");
    }

    public Path snapshotFolder(String repoId, String commit) {
        return repoFolder(repoId).resolve("snapshots").resolve(requireSafe(commit, "revision"));
    }

    public Path lockPath(String repoId, String etag) {
        return root.resolve(".locks").resolve(repoFolderName(repoId)).resolve(requireSafe(etag, "etag") + ".lock");
    }

    /**
     * Writes {@code ROOT/CACHEDIR.TAG} (https://bford.info/cachedir/) if missing, as huggingface_hub does, so
     * that backup tools skip the cache. Failures are ignored: the tag is a courtesy.
     */
    public void tagAsCache() {
        Path tag = root.resolve("CACHEDIR.TAG");
        if (Files.exists(tag)) {
            return;
        }
        try {
            Files.createDirectories(root);
            Files.writeString(tag, "Signature: 8a477f597d28d172789f06886806bc55\n"
                    + "# This file is a cache directory tag (Hugging Face hub cache, written by ITAE Studio).\n"
                    + "# For information about cache directory tags, see:\n"
                    + "#\thttps://bford.info/cachedir/\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            // read-only or racing with another writer: nothing to do
        }
    }

    /** The commit a ref (branch or tag) points to, if recorded. */
    public Optional<String> readRef(String repoId, String ref) {
        return readRef(repoFolder(repoId), ref);
    }

    /** Records that {@code ref} points to {@code commit}, atomically (readers never see a half-written ref). */
    public void writeRef(String repoId, String ref, String commit) throws IOException {
        Path refFile = repoFolder(repoId).resolve("refs").resolve(requireSafe(ref, "ref"));
        if (readRef(repoId, ref).filter(commit::equals).isPresent()) {
            return;
        }
        Files.createDirectories(refFile.getParent());
        Path tmp = Files.createTempFile(refFile.getParent(), "." + ref, ".tmp");
        try {
            Files.writeString(tmp, commit, StandardCharsets.UTF_8);
            moveAtomically(tmp, refFile);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * The snapshot folder holding all {@code files} for {@code revision}, without any network access, the way
     * huggingface_hub's try_to_load_from_cache finds it: the revision goes through {@code refs/} when recorded,
     * otherwise the revision itself names the snapshot folder (so {@code snapshots/main/} works for hand-placed
     * files). Symlinks must resolve to existing files.
     */
    public Optional<Path> cachedSnapshot(String repoId, String revision, List<String> files) {
        return cachedSnapshotIn(repoFolder(repoId), revision, files);
    }

    /** Same as {@link #cachedSnapshot} for a repo folder given directly (e.g. a user passes models--x--y). */
    public static Optional<Path> cachedSnapshotIn(Path repoFolder, String revision, List<String> files) {
        String commit = readRef(repoFolder, revision).orElse(revision);
        if (!SAFE_NAME.matcher(commit).matches()) {
            return Optional.empty();
        }
        Path snapshot = repoFolder.resolve("snapshots").resolve(commit);
        for (String file : files) {
            if (!Files.isRegularFile(snapshot.resolve(file))) {
                return Optional.empty();
            }
        }
        return Optional.of(snapshot);
    }

    /** Where a user should place files by hand for {@code revision}: the snapshot the ref points to, else {@code snapshots/<revision>}. */
    public Path placementFolder(String repoId, String revision) {
        return snapshotFolder(repoId, readRef(repoId, revision).filter(c -> SAFE_NAME.matcher(c).matches())
                .orElse(revision));
    }

    /**
     * Makes {@code snapshots/<commit>/<file>} point at the blob: a relative symlink, or, where symlinks are not
     * allowed (Windows without developer mode), the blob itself (moved when it was just downloaded, as
     * huggingface_hub does, otherwise copied).
     */
    public static void linkSnapshotFile(Path blob, Path pointer, boolean newBlob) throws IOException {
        Files.createDirectories(pointer.getParent());
        if (Files.isRegularFile(pointer)) {
            return;
        }
        Files.deleteIfExists(pointer); // a dangling link left by a removed blob
        Path target = pointer.getParent().relativize(blob);
        try {
            Files.createSymbolicLink(pointer, target);
            return;
        } catch (FileAlreadyExistsException e) {
            return; // another process linked it at the same moment
        } catch (UnsupportedOperationException | IOException | SecurityException e) {
            // fall through to a real file
        }
        if (newBlob) {
            moveAtomically(blob, pointer);
        } else {
            Path tmp = Files.createTempFile(pointer.getParent(), ".link", ".tmp");
            try {
                Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING);
                moveAtomically(tmp, pointer);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    public static boolean isCommitHash(String revision) {
        return revision != null && COMMIT_HASH.matcher(revision).matches();
    }

    static boolean isSafeName(String name) {
        return name != null && SAFE_NAME.matcher(name).matches();
    }

    static void moveAtomically(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static Optional<String> readRef(Path repoFolder, String ref) {
        if (!SAFE_NAME.matcher(ref).matches()) {
            return Optional.empty();
        }
        Path refFile = repoFolder.resolve("refs").resolve(ref);
        try {
            if (Files.isRegularFile(refFile)) {
                String commit = Files.readString(refFile, StandardCharsets.UTF_8).trim();
                return commit.isEmpty() ? Optional.empty() : Optional.of(commit);
            }
        } catch (IOException e) {
            // unreadable ref: treat as not cached
        }
        return Optional.empty();
    }

    private static void requireRepoId(String repoId) {
        if (repoId == null || !REPO_ID.matcher(repoId).matches() || repoId.contains("--") || repoId.contains("..")) {
            throw new IllegalArgumentException("invalid repository id: " + repoId + " (expected owner/name)");
        }
    }

    private static String requireSafe(String name, String what) {
        if (!isSafeName(name)) {
            throw new IllegalArgumentException("invalid " + what + " for a cache file name: " + name);
        }
        return name;
    }
}

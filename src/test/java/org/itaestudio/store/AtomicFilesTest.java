package org.itaestudio.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Errors while writing an output name the output, and leave the old content in place. */
class AtomicFilesTest {

    @TempDir
    Path tmp;

    @Test
    void aFullDiskSaysWhichOutputDidNotFit() throws Exception {
        Path out = tmp.resolve("emb.csv");
        Files.writeString(out, "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(out, o -> {
            o.write(1);
            throw new IOException("No space left on device");
        }));
        assertEquals("Cannot write " + out + ": No space left on device", e.getMessage());
        assertEquals("old", Files.readString(out), "the old output is untouched");
        try (var files = Files.list(tmp)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }

    @Test
    void aMessageThatNamesTheFileAlreadyIsKept() {
        Path out = tmp.resolve("missing-dir/emb.csv");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(out, "x"));
        assertEquals(out + ": directory " + out.toAbsolutePath().getParent() + " does not exist", e.getMessage());
    }
}

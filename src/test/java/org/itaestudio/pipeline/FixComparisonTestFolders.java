package org.itaestudio.pipeline;

import java.nio.file.Path;

/** The fix-comparison tests' small class-labelled folder, for tests in other packages. */
public final class FixComparisonTestFolders {
    private FixComparisonTestFolders() {
    }

    /** Two classes (warm, cool) of three noisy 56x56 PNGs each. */
    public static Path labelled(Path root) throws Exception {
        return FixComparisonTest.labelledFolder(root);
    }
}

package org.itaestudio.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.Test;

/** The matrix-product rates of one ViT-S/14 block, one repeat each, so the documented command cannot rot. */
class GemmShapesSmokeTest {

    @Test
    void printsEveryProductAtBothBatchesAndLeavesTheThreadCount() throws Exception {
        String text = PrintedOutput.of(GemmShapes::main, "vits14", "1");
        int threads = JniUtils.getNumThreads();
        for (String row : new String[] {"| qkv | 257x1152x384 + bias |", "| fc2 | 2056x384x1536 + bias |",
                "| QK^T | 8x6 x 257x64x257 |", "| square | 1024x1024x1024 |"}) {
            assertTrue(text.contains(row), row + " missing in\n" + text);
        }
        assertEquals(14, text.lines().filter(l -> l.startsWith("| ")).count(), text); // header + 13 products
        assertTrue(!text.contains("Infinity") && !text.contains("NaN"), text);
        assertEquals(threads, JniUtils.getNumThreads());
    }
}

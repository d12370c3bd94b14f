package org.itaestudio.model.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.itaestudio.bench.SyntheticWeights;
import org.itaestudio.model.DinoV2Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer's files are read back by an independent reader (DJL's NDList.decode) and checked byte by byte. */
class SafetensorsWriterTest {

    @TempDir
    Path dir;

    @Test
    void layoutFollowsTheFormat() throws Exception {
        Path file = dir.resolve("two.safetensors");
        SafetensorsWriter.write(file, List.of(
                new SafetensorsWriter.Tensor("b", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}),
                new SafetensorsWriter.Tensor("a", new long[] {1}, new float[] {-0.5f})), Map.of("format", "pt"));
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = buf.getLong();
        assertEquals(0, headerLength % 8, "header padded to a multiple of 8");
        assertEquals(8 + headerLength + 7 * 4, bytes.length, "no gaps, no trailing bytes");
        JsonObject header = JsonParser.parseString(
                new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8).strip()).getAsJsonObject();
        assertEquals("pt", header.getAsJsonObject("__metadata__").get("format").getAsString());
        assertEquals("[0,24]", header.getAsJsonObject("b").get("data_offsets").toString());
        assertEquals("[24,28]", header.getAsJsonObject("a").get("data_offsets").toString());
        assertEquals("[2,3]", header.getAsJsonObject("b").get("shape").toString());
        buf.position(8 + (int) headerLength);
        assertEquals(1f, buf.getFloat());
        buf.position(8 + (int) headerLength + 24);
        assertEquals(-0.5f, buf.getFloat());
    }

    @Test
    void syntheticWeightsRoundTripThroughAnIndependentReader() throws Exception {
        DinoV2Config config = DinoV2Config.of(64, 2, 4, DinoV2Config.FfnType.MLP);
        SyntheticWeights weights = new SyntheticWeights(config, 3);
        Path file = dir.resolve("w.safetensors");
        SafetensorsWriter.write(file, weights, Map.of());
        try (NDManager m = Engine.getEngine("PyTorch").newBaseManager()) {
            NDList list = NDList.decode(m, Files.readAllBytes(file));
            Map<String, NDArray> byName = new HashMap<>();
            for (NDArray a : list) {
                byName.put(a.getName(), a);
            }
            assertEquals(weights.tensors().keySet(), byName.keySet());
            for (TensorInfo info : weights.tensors().values()) {
                NDArray a = byName.get(info.name());
                assertArrayEquals(info.shape(), a.getShape().getShape(), info.name());
                FloatBuffer expected = weights.readFloats(info.name());
                float[] want = new float[expected.remaining()];
                expected.get(want);
                assertArrayEquals(want, a.toFloatArray(), info.name()); // exact: float32 written as is
            }
        }
    }

    @Test
    void badInputIsRefusedAndLeavesNoFile() {
        assertThrows(IllegalArgumentException.class,
                () -> new SafetensorsWriter.Tensor("x", new long[] {2, 2}, new float[3]));
        Path file = dir.resolve("dup.safetensors");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(file,
                List.of(new SafetensorsWriter.Tensor("x", new long[] {1}, new float[1]),
                        new SafetensorsWriter.Tensor("x", new long[] {1}, new float[1])), Map.of()));
        assertTrue(e.getMessage().contains("given twice"), e.getMessage());
        assertTrue(!Files.exists(file));
    }
}

package org.itaestudio.model.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.itaestudio.model.DinoV2Config.FfnType;
import org.itaestudio.model.DinoV2Config;
import org.junit.jupiter.api.Test;

/** The catalogue read from the classpath holds the released models with their repos and architectures. */
class ModelCatalogTest {

    @Test
    void listsTheEightReleasedModelsWithTheirRepos() {
        assertEquals(List.of("dinov2-small", "dinov2-base", "dinov2-large", "dinov2-giant", "dinov2-small-reg",
                "dinov2-base-reg", "dinov2-large-reg", "dinov2-giant-reg"), ModelCatalog.names());
        assertEquals("facebook/dinov2-small", ModelCatalog.byName("dinov2-small").orElseThrow().repo());
        assertEquals("facebook/dinov2-with-registers-large", ModelCatalog.byName(" DINOv2-Large-Reg ").orElseThrow().repo());
        assertEquals("dinov2-giant-reg", ModelCatalog.byRepo("Facebook/DINOv2-with-registers-giant").orElseThrow().name());
        assertFalse(ModelCatalog.byName("dinov2-tiny").isPresent());
        assertFalse(ModelCatalog.byName(null).isPresent());
        assertFalse(ModelCatalog.byRepo("facebook/dinov3-small").isPresent());
    }

    @Test
    void architecturesAreThoseOfTheReleasedCheckpoints() {
        assertEquals(DinoV2Config.of(384, 12, 0, FfnType.MLP), ModelCatalog.config("dinov2-small"));
        assertEquals(DinoV2Config.of(768, 12, 0, FfnType.MLP), ModelCatalog.config("dinov2-base"));
        assertEquals(DinoV2Config.of(1024, 24, 4, FfnType.MLP), ModelCatalog.config("dinov2-large-reg"));
        DinoV2Config giant = ModelCatalog.config("dinov2-giant");
        assertEquals(1536, giant.embedDim());
        assertEquals(40, giant.depth());
        assertEquals(24, giant.numHeads());
        assertEquals(FfnType.SWIGLU, giant.ffn());
        assertEquals(4096, giant.ffnHidden());
        assertEquals(0.1, giant.interpolateOffset());
        DinoV2Config smallReg = ModelCatalog.config("dinov2-small-reg");
        assertEquals(4, smallReg.numRegisters());
        assertTrue(smallReg.interpolateAntialias());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelCatalog.config("vit-s"));
        assertTrue(e.getMessage().startsWith("unknown model name: vit-s (expected one of dinov2-small, "), e.getMessage());
    }
}

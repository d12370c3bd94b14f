package org.itaestudio.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.itaestudio.pipeline.AnalysisSettings;
import org.junit.jupiter.api.Test;

class ModelDepthsTest {

    @Test
    void asksTheEngineOncePerModelAndThenKnowsWithoutIt() throws Exception {
        List<String> asked = new ArrayList<>();
        FakeStudioEngine engine = new FakeStudioEngine() {
            @Override
            public int depth(AnalysisSettings settings) {
                asked.add(settings.model());
                return settings.model().equals("big") ? 24 : 12;
            }
        };
        ModelDepths depths = new ModelDepths(engine);
        assertTrue(depths.known("small").isEmpty(), "unknown before it is asked");
        assertEquals(12, depths.of(AnalysisSettings.defaults("small")));
        assertEquals(12, depths.of(AnalysisSettings.defaults("small")));
        assertEquals(24, depths.of(AnalysisSettings.defaults("big")));
        assertEquals(List.of("small", "big"), asked);
        assertEquals(OptionalInt.of(24), depths.known("big"));
    }
}

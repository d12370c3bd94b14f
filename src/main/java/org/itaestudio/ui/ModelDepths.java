package org.itaestudio.ui;

import java.io.IOException;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import org.itaestudio.pipeline.AnalysisSettings;
import org.itaestudio.pipeline.StudioEngine;

/**
 * The number of blocks of each model a view has run: asked of the engine once per model (on a worker thread: the
 * engine may load the model), then known on any thread, so a view can resolve "the last block" to a number before it
 * submits a request.
 */
final class ModelDepths {
    private final StudioEngine engine;
    private final Map<String, Integer> byModel = new ConcurrentHashMap<>();

    ModelDepths(StudioEngine engine) {
        this.engine = engine;
    }

    /** The depth of the settings' model, asking the engine the first time. */
    int of(AnalysisSettings settings) throws IOException {
        Integer d = byModel.get(settings.model());
        if (d == null) {
            d = engine.depth(settings);
            byModel.put(settings.model(), d);
        }
        return d;
    }

    /** The depth of a model already asked about, else empty. */
    OptionalInt known(String model) {
        Integer d = byModel.get(model);
        return d == null ? OptionalInt.empty() : OptionalInt.of(d);
    }
}

package org.itaestudio.ui;

import org.itaestudio.pipeline.DefaultStudioEngine;
import org.itaestudio.pipeline.StudioEngine;

/** Makes the app's real engine (the shared analysis cache in the user's cache directory). */
final class EngineFactory {

    private EngineFactory() {
    }

    static StudioEngine createDefault() {
        return new DefaultStudioEngine();
    }
}

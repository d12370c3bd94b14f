package org.itaestudio.ui;

import org.itaestudio.pipeline.StudioEngine;

/** Makes the app's real engine. */
final class EngineFactory {

    static final String DEFAULT_ENGINE = "org.itaestudio.pipeline.DefaultStudioEngine";

    private EngineFactory() {
    }

    /**
     * The real {@code DefaultStudioEngine}. Looked up by name while it is being written in parallel; once it is on
     * main this becomes a plain constructor call.
     */
    static StudioEngine createDefault() {
        try {
            Class<?> c = Class.forName(DEFAULT_ENGINE);
            return (StudioEngine) c.getConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("this build has no analysis engine (" + DEFAULT_ENGINE + " is missing)", e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot start the analysis engine: " + MainViewModel.oneLine(e), e);
        }
    }
}

package org.itaestudio.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.itaestudio.model.hub.DownloadListener;
import org.itaestudio.model.hub.ModelResolveException;
import org.itaestudio.model.hub.ModelResolver;
import org.itaestudio.model.hub.ResolvedModel;
import org.itaestudio.progress.Progress;
import org.itaestudio.progress.ProgressListener;

/**
 * {@link ModelService} over the hub client ({@link ModelResolver}): names are looked up in the Hugging Face cache
 * without touching the network, paths are validated, and a download goes through the resolver (resume, checksum,
 * lock, atomic placement). The explanation for a missing model is the resolver's own advice on which files to
 * place where.
 */
public final class HubModelService implements ModelService {

    private final Map<String, String> environment;
    private final ModelResolver resolver;
    private final ModelResolver offlineResolver;

    public HubModelService() {
        this(System.getenv());
    }

    public HubModelService(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
        this.resolver = new ModelResolver(this.environment);
        Map<String, String> offline = new HashMap<>(this.environment);
        offline.put("HF_HUB_OFFLINE", "1");
        this.offlineResolver = new ModelResolver(offline); // never downloads: used to check and to explain
    }

    @Override
    public Status status(String spec) {
        boolean isName = spec != null && ModelResolver.repoIdFor(spec.strip()).isPresent();
        try {
            offlineResolver.resolve(spec);
            return Status.ok();
        } catch (ModelResolveException e) {
            if (isName && e.reason() == ModelResolveException.Reason.NOT_CACHED_OFFLINE) {
                String repo = ModelResolver.repoIdFor(spec.strip()).orElseThrow();
                boolean canDownload = !resolver.environment().offline();
                String advice = e.getMessage();
                int colon = advice.indexOf(": place ");
                String place = colon >= 0 ? advice.substring(colon + 2) : advice;
                String text = "It is not in the Hugging Face cache (" + resolver.environment().cacheRoot() + "). "
                        + Character.toUpperCase(place.charAt(0)) + place.substring(1) + ".";
                if (!canDownload) {
                    text += " HF_HUB_OFFLINE is set, so it will not be downloaded.";
                }
                return new Status(false, "The model " + spec.strip() + " (" + repo + ") is not on this computer. " + text,
                        canDownload);
            }
            return new Status(false, e.getMessage(), false);
        }
    }

    @Override
    public Path download(String spec, ProgressListener progress, Cancellation cancel) throws IOException {
        long t0 = System.nanoTime();
        ResolvedModel m = resolver.resolve(spec, (label, total) -> new DownloadListener() {
            @Override
            public void progress(long done, long bytesTotal, double rate) {
                Duration eta = rate > 0 && bytesTotal > 0 ? Duration.ofSeconds((long) ((bytesTotal - done) / rate)) : null;
                progress.onProgress(new Progress("Downloading " + label, done, Math.max(0, bytesTotal), rate, eta, 0));
            }
        }, cancel::isCancelled);
        return m.path();
    }

    Map<String, String> environment() {
        return environment;
    }
}

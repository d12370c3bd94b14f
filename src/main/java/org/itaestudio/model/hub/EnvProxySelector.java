package org.itaestudio.model.hub;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Honours the proxy variables Python's requests (and so huggingface_hub) honours: HTTPS_PROXY / HTTP_PROXY
 * (either case) chosen by the URL's scheme, and NO_PROXY (comma-separated host suffixes, {@code *} = all).
 * Without them, Java's default selector (system properties such as https.proxyHost) decides. Proxies that need
 * a user name and password are not supported.
 */
final class EnvProxySelector extends ProxySelector {

    private final HubEnvironment env;
    private final ProxySelector fallback;

    EnvProxySelector(HubEnvironment env, ProxySelector fallback) {
        this.env = env;
        this.fallback = fallback;
    }

    @Override
    public List<Proxy> select(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String proxy = variable(scheme + "_proxy");
        if (proxy == null) {
            proxy = variable("all_proxy");
        }
        if (proxy == null || bypass(uri.getHost())) {
            return fallback != null ? fallback.select(uri) : List.of(Proxy.NO_PROXY);
        }
        URI proxyUri = URI.create(proxy.contains("://") ? proxy : "http://" + proxy);
        int port = proxyUri.getPort() != -1 ? proxyUri.getPort() : ("https".equals(proxyUri.getScheme()) ? 443 : 80);
        return List.of(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(proxyUri.getHost(), port)));
    }

    @Override
    public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        // nothing to remember: the failure is reported by the request itself
    }

    private boolean bypass(String host) {
        String noProxy = variable("no_proxy");
        if (noProxy == null || host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        for (String entry : noProxy.split(",")) {
            String e = entry.trim().toLowerCase(Locale.ROOT);
            if (e.isEmpty()) {
                continue;
            }
            if (e.equals("*")) {
                return true;
            }
            String suffix = e.startsWith(".") ? e.substring(1) : e;
            if (h.equals(suffix) || h.endsWith("." + suffix)) {
                return true;
            }
        }
        return false;
    }

    private String variable(String lowerName) {
        String value = env.get(lowerName);
        return value != null ? value : env.get(lowerName.toUpperCase(Locale.ROOT));
    }
}

package org.itaestudio.model.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Hugging Face settings of one process, read from an injectable environment exactly as huggingface_hub
 * (constants.py) reads them:
 * <ul>
 *   <li>HF_HOME = {@code $HF_HOME}, else {@code $XDG_CACHE_HOME/huggingface}, else {@code ~/.cache/huggingface};</li>
 *   <li>hub cache = {@code $HF_HUB_CACHE}, else the legacy {@code $HUGGINGFACE_HUB_CACHE}, else {@code HF_HOME/hub};</li>
 *   <li>offline when {@code HF_HUB_OFFLINE} (or {@code TRANSFORMERS_OFFLINE}) is 1/ON/YES/TRUE;</li>
 *   <li>endpoint = {@code $HF_ENDPOINT} without trailing slashes, default https://huggingface.co;</li>
 *   <li>token = {@code $HF_TOKEN}, else {@code $HUGGING_FACE_HUB_TOKEN}, else the file {@code $HF_TOKEN_PATH}
 *       or {@code HF_HOME/token} (written by {@code huggingface-cli login}).</li>
 * </ul>
 * Paths get {@code ~} and {@code $VAR}/{@code ${VAR}} expanded like Python's expanduser/expandvars. One
 * deliberate difference: a variable set to an empty string counts as unset (Python would use "" as a path).
 */
public final class HubEnvironment {

    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    private static final Set<String> TRUE_VALUES = Set.of("1", "ON", "YES", "TRUE");
    private static final Pattern VARIABLE = Pattern.compile("\\$(\\{([A-Za-z_][A-Za-z0-9_]*)}|([A-Za-z_][A-Za-z0-9_]*))");

    private final Map<String, String> variables;
    private final Path userHome;

    /**
     * @param variables the environment (tests pass their own map)
     * @param userHome  what {@code ~} expands to
     */
    public HubEnvironment(Map<String, String> variables, Path userHome) {
        this.variables = Map.copyOf(variables);
        this.userHome = userHome;
    }

    /** The process environment and the user's home directory. */
    public static HubEnvironment system() {
        return of(System.getenv());
    }

    /** The given environment with the real user home for {@code ~}. */
    public static HubEnvironment of(Map<String, String> variables) {
        return new HubEnvironment(variables, Path.of(System.getProperty("user.home")));
    }

    /** A variable's value, or null when unset or blank. */
    public String get(String name) {
        String value = variables.get(name);
        return value == null || value.isBlank() ? null : value;
    }

    /** HF_HOME: config and token live here, the hub cache by default under {@code hub/}. */
    public Path hfHome() {
        String home = get("HF_HOME");
        if (home != null) {
            return expand(home);
        }
        String xdg = get("XDG_CACHE_HOME");
        Path cacheBase = xdg != null ? expand(xdg) : userHome.resolve(".cache");
        return cacheBase.resolve("huggingface");
    }

    /** The hub cache root, holding {@code models--org--name} folders. */
    public Path cacheRoot() {
        String cache = get("HF_HUB_CACHE");
        if (cache == null) {
            cache = get("HUGGINGFACE_HUB_CACHE");
        }
        return cache != null ? expand(cache) : hfHome().resolve("hub");
    }

    /** True when HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) is set to 1/ON/YES/TRUE: no network at all. */
    public boolean offline() {
        String value = get("HF_HUB_OFFLINE");
        if (value == null) {
            value = get("TRANSFORMERS_OFFLINE");
        }
        return value != null && TRUE_VALUES.contains(value.trim().toUpperCase(Locale.ROOT));
    }

    /** Base URL of the hub, without trailing slash. */
    public String endpoint() {
        String endpoint = get("HF_ENDPOINT");
        if (endpoint == null) {
            return DEFAULT_ENDPOINT;
        }
        String trimmed = endpoint.trim();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed;
    }

    /** The access token, if any, sent as a bearer token to the hub endpoint only (never to redirect targets). */
    public Optional<String> token() {
        for (String name : new String[] {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"}) {
            String token = get(name);
            if (token != null) {
                return Optional.of(token.trim());
            }
        }
        String tokenPath = get("HF_TOKEN_PATH");
        Path file = tokenPath != null ? expand(tokenPath) : hfHome().resolve("token");
        try {
            if (Files.isRegularFile(file)) {
                String token = Files.readString(file, StandardCharsets.UTF_8).trim();
                return token.isEmpty() ? Optional.empty() : Optional.of(token);
            }
        } catch (IOException | SecurityException e) {
            // an unreadable token file means "no token", as in huggingface_hub
        }
        return Optional.empty();
    }

    /** expanduser then expandvars: a leading {@code ~}, then {@code $VAR}/{@code ${VAR}} (unknown ones stay). */
    Path expand(String raw) {
        String s = raw;
        if (s.equals("~")) {
            s = userHome.toString();
        } else if (s.startsWith("~/") || s.startsWith("~\\")) {
            s = userHome.resolve(s.substring(2)).toString();
        }
        Matcher m = VARIABLE.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(2) != null ? m.group(2) : m.group(3);
            String value = variables.get(name);
            m.appendReplacement(sb, Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        m.appendTail(sb);
        return Path.of(sb.toString());
    }

    @Override
    public String toString() {
        return "HubEnvironment[cache=" + cacheRoot() + ", endpoint=" + endpoint() + ", offline=" + offline() + "]";
    }
}

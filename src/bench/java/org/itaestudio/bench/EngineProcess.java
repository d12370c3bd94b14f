package org.itaestudio.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Client side of an engine worker process ({@link EngineWorker} or {@code tools/bench_pytorch.py}): starts it,
 * waits for its start-up reply and sends it one command at a time. The worker's stderr goes to a log file, whose
 * tail is quoted when the worker fails.
 */
final class EngineProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final BufferedReader replies;
    private final Writer commands;
    private final Path log;
    private final JsonObject ready;

    EngineProcess(String name, List<String> command, Map<String, String> env, Path log) throws IOException {
        this.name = name;
        this.log = log;
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(log.toFile());
        pb.environment().putAll(env);
        this.process = pb.start();
        this.replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.commands = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        JsonObject r;
        try {
            r = nextReply();
        } catch (IOException e) {
            process.destroyForcibly();
            throw e;
        }
        if (!r.has("ready") || !r.get("ready").getAsBoolean()) {
            close();
            throw new IOException(name + " did not start: " + (r.has("error") ? r.get("error").getAsString() : r)
                    + logTail());
        }
        this.ready = r;
    }

    String name() {
        return name;
    }

    /** The worker's start-up reply (versions, threads, checks). */
    JsonObject ready() {
        return ready;
    }

    JsonObject send(String json) throws IOException {
        commands.write(json + "\n");
        commands.flush();
        JsonObject r = nextReply();
        if (r.has("error")) {
            throw new IOException(name + ": " + r.get("error").getAsString());
        }
        return r;
    }

    private JsonObject nextReply() throws IOException {
        for (String line; (line = replies.readLine()) != null; ) {
            if (line.startsWith(EngineWorker.REPLY_PREFIX)) {
                return JsonParser.parseString(line.substring(EngineWorker.REPLY_PREFIX.length())).getAsJsonObject();
            }
        }
        String status;
        try {
            status = process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) ? "exit code " + process.exitValue()
                    : "stdout closed";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = "interrupted";
        }
        throw new IOException(name + " exited unexpectedly (" + status + ")" + logTail());
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.isEmpty() ? "" : "; its log ends with: "
                    + String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() {
        try {
            commands.write("{\"cmd\": \"quit\"}\n");
            commands.flush();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}

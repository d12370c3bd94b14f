package org.itaestudio.model.hub;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Child process for HubDownloaderTest: holds the OS lock on a file until a line (or EOF) arrives on stdin. */
public final class LockHolder {

    private LockHolder() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        Files.createDirectories(file.getParent());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = channel.lock()) {
            System.out.println("locked");
            System.out.flush();
            // never outlive a broken test: a daemon timer ends the process if no line or EOF arrives in 30 s
            new java.util.Timer("lock-holder-watchdog", true).schedule(new java.util.TimerTask() {
                @Override
                public void run() {
                    System.exit(2);
                }
            }, 30_000);
            new BufferedReader(new InputStreamReader(System.in)).readLine();
        }
    }
}

package org.itaestudio.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/** What the benchmark ran on, for the report. Fields read from /proc are "unknown" elsewhere. */
public record MachineInfo(String cpuModel, int cores, String ram, String os, String java, String date) {

    public static MachineInfo detect() {
        String cpu = firstValue(Path.of("/proc/cpuinfo"), "model name");
        String memKb = firstValue(Path.of("/proc/meminfo"), "MemTotal");
        String ram = "unknown";
        if (!memKb.equals("unknown")) {
            long kb = Long.parseLong(memKb.replaceAll("\\D+", ""));
            ram = String.format(Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
        }
        String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch");
        String java = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
        String date = ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ROOT));
        return new MachineInfo(cpu, Runtime.getRuntime().availableProcessors(), ram, os, java, date);
    }

    /** The 1, 5 and 15 minute load averages (other work on the machine), or "unknown". */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " / " + f[1] + " / " + f[2];
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static String firstValue(Path file, String key) {
        try {
            List<String> lines = Files.readAllLines(file);
            for (String line : lines) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                    return line.substring(colon + 1).trim();
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return "unknown";
    }
}

package org.itaestudio.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.itaestudio.model.DinoV2;
import org.itaestudio.model.DinoV2Config;
import org.itaestudio.model.ForwardRequest;
import org.itaestudio.model.NativeThreading;

/**
 * Where the time of one forward goes: libtorch's own profiler (through DJL's {@code JniUtils.startProfile}) records
 * every aten op of a few plain forwards into a Chrome trace; this sums each op's self time (its duration minus the
 * ops it called) per forward and splits it into matrix products and everything else.
 *
 * <pre>
 * java ... org.itaestudio.bench.ForwardProfile [ARCH=vits14] [BATCH=8] [FORWARDS=3] [TRACE=forward-trace.json]
 * </pre>
 */
public final class ForwardProfile {

    /** Ops whose self time is a matrix product (GEMM/convolution kernels). */
    static final Set<String> MATMUL_OPS = Set.of("aten::addmm", "aten::mm", "aten::bmm", "aten::baddbmm",
            "aten::mkldnn_convolution", "aten::_convolution", "aten::convolution", "aten::_mkldnn_convolution",
            "aten::thnn_conv2d", "aten::_slow_conv2d_forward");

    /** Self time of one op over the profiled forwards. */
    record OpTime(String name, long calls, double selfMs) {
        boolean matmul() {
            return MATMUL_OPS.contains(name);
        }
    }

    private ForwardProfile() {
    }

    public static void main(String[] args) throws Exception {
        String arch = args.length > 0 ? args[0] : "vits14";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int forwards = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path trace = Path.of(args.length > 3 ? args[3] : "forward-trace.json").toAbsolutePath();
        int size = 224;
        DinoV2Config config = EngineBenchmark.arch(arch);
        NativeThreading.configure();
        Engine.getEngine("PyTorch");
        float[] pixels = BenchInputs.pixels(batch, size, BenchOptions.INPUT_SEED);
        PrintStream out = System.out;
        try (DinoV2 model = DinoV2.create(config, new SyntheticWeights(config, BenchOptions.WEIGHT_SEED), Device.cpu())) {
            for (int i = 0; i < 2; i++) {
                model.forward(pixels, batch, size, size, ForwardRequest.plain());
            }
            long cpu0 = ProcessMemory.cpuNanos();
            long faults0 = minorFaults();
            long t0 = System.nanoTime();
            JniUtils.startProfile(false, false, false);
            for (int i = 0; i < forwards; i++) {
                model.forward(pixels, batch, size, size, ForwardRequest.plain());
            }
            JniUtils.stopProfile(trace.toString());
            double wallMs = (System.nanoTime() - t0) / 1e6 / forwards;
            double cpuMs = (ProcessMemory.cpuNanos() - cpu0) / 1e6 / forwards;
            long faults = (minorFaults() - faults0) / forwards;
            List<OpTime> ops = selfTimes(trace, forwards);
            out.printf(Locale.ROOT, "%s batch %d, %d threads, OMP_WAIT_POLICY %s: %.0f ms wall, %.0f ms CPU per profiled"
                    + " forward, %d page faults (trace %s)%n", BenchReport.modelName(arch), batch,
                    JniUtils.getNumThreads(), NativeThreading.waitPolicy(), wallMs, cpuMs, faults, trace);
            out.print(table(ops, wallMs));
        }
    }

    /** Minor page faults of this process so far (Linux), or 0. */
    static long minorFaults() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[7]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** The per-forward table: ops by self time, then the matmul / other split and the time outside any op. */
    static String table(List<OpTime> ops, double wallMs) {
        StringBuilder sb = new StringBuilder("| op | calls | self ms | % of forward |\n|---|---:|---:|---:|\n");
        double matmul = 0;
        double other = 0;
        for (OpTime op : ops) {
            if (op.matmul()) {
                matmul += op.selfMs();
            } else {
                other += op.selfMs();
            }
            if (op.selfMs() >= 0.005 * wallMs) {
                sb.append(String.format(Locale.ROOT, "| %s%s | %d | %.1f | %.1f |%n", op.name(),
                        op.matmul() ? " (matmul)" : "", op.calls(), op.selfMs(), 100 * op.selfMs() / wallMs));
            }
        }
        double outside = Math.max(0, wallMs - matmul - other);
        sb.append(String.format(Locale.ROOT, "| **matrix products** | | **%.1f** | **%.1f** |%n", matmul, 100 * matmul / wallMs));
        sb.append(String.format(Locale.ROOT, "| **other ops** | | **%.1f** | **%.1f** |%n", other, 100 * other / wallMs));
        sb.append(String.format(Locale.ROOT, "| **outside ops (Java, JNI, allocation)** | | **%.1f** | **%.1f** |%n",
                outside, 100 * outside / wallMs));
        return sb.toString();
    }

    /** Self time per op name from a Chrome trace of libtorch's profiler, per forward, largest first. */
    static List<OpTime> selfTimes(Path trace, int forwards) throws IOException {
        JsonElement root = JsonParser.parseString(Files.readString(trace, StandardCharsets.UTF_8));
        Iterable<JsonElement> events = root.isJsonArray() ? root.getAsJsonArray()
                : root.getAsJsonObject().getAsJsonArray("traceEvents");
        Map<String, List<double[]>> byThread = new HashMap<>(); // tid -> [start, dur, nameIndex]
        List<String> names = new ArrayList<>();
        Map<String, Integer> nameIndex = new HashMap<>();
        for (JsonElement e : events) {
            JsonObject o = e.getAsJsonObject();
            if (!o.has("dur") || !"X".equals(o.get("ph").getAsString())) {
                continue;
            }
            String name = o.get("name").getAsString();
            int idx = nameIndex.computeIfAbsent(name, n -> {
                names.add(n);
                return names.size() - 1;
            });
            byThread.computeIfAbsent(o.get("tid").getAsString(), t -> new ArrayList<>())
                    .add(new double[] {o.get("ts").getAsDouble(), o.get("dur").getAsDouble(), idx});
        }
        double[] self = new double[names.size()];
        long[] calls = new long[names.size()];
        for (List<double[]> list : byThread.values()) {
            list.sort(Comparator.<double[]>comparingDouble(a -> a[0]).thenComparingDouble(a -> -a[1]));
            Deque<double[]> open = new ArrayDeque<>(); // [end, nameIndex]
            for (double[] ev : list) {
                while (!open.isEmpty() && open.peek()[0] <= ev[0]) {
                    open.pop();
                }
                int idx = (int) ev[2];
                self[idx] += ev[1];
                calls[idx]++;
                if (!open.isEmpty()) {
                    self[(int) open.peek()[1]] -= ev[1]; // the caller's self time excludes this op
                }
                open.push(new double[] {ev[0] + ev[1], idx});
            }
        }
        List<OpTime> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            out.add(new OpTime(names.get(i), calls[i] / forwards, self[i] / 1000 / forwards));
        }
        out.sort(Comparator.comparingDouble(OpTime::selfMs).reversed());
        return out;
    }
}

package org.itaestudio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./itae-studio} wrapper's build switching, which the README's GPU section relies on: ITAE_GPU=1 builds
 * with the gpu profile (CUDA libtorch), a later run without it rebuilds with the CPU libtorch, an unchanged checkout
 * is not rebuilt, and the JVM always gets -Dai.djl.offline=true. Maven and Java are stand-ins on PATH that record
 * their arguments (the real CUDA build is a 2.5 GB download).
 */
class WrapperScriptTest {

    @TempDir
    Path tmp;

    Path checkout;
    Path bin;

    @BeforeEach
    void fakeCheckoutAndTools() throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash");
        checkout = Files.createDirectories(tmp.resolve("checkout"));
        Files.copy(Path.of("itae-studio"), checkout.resolve("itae-studio"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.writeString(checkout.resolve("pom.xml"), "<project/>");
        Files.createDirectories(checkout.resolve("src/main/java"));
        Files.writeString(checkout.resolve("src/main/java/A.java"), "class A {}");
        // Sources older than any build the test makes, so "changed sources" does not trigger rebuilds by accident.
        FileTime old = FileTime.fromMillis(System.currentTimeMillis() - 3_600_000);
        for (Path p : List.of(checkout.resolve("pom.xml"), checkout.resolve("src/main/java/A.java"))) {
            Files.setLastModifiedTime(p, old);
        }
        bin = Files.createDirectories(tmp.resolve("bin"));
        // mvn: records its arguments and writes the classpath file the real build writes (generate-resources)
        script("mvn", """
                #!/bin/bash
                echo "$*" >> "$LOGS/mvn.log"
                mkdir -p target
                case " $* " in
                  *" -Pgpu "*) echo "/m2/pytorch-native-cu124-2.5.1-linux-x86_64.jar:/m2/api.jar" > target/classpath.txt ;;
                  *) echo "/m2/pytorch-native-cpu-2.5.1-linux-x86_64.jar:/m2/api.jar" > target/classpath.txt ;;
                esac
                """);
        script("java", """
                #!/bin/bash
                printf '%s\\n' "$@" > "$LOGS/java.args"
                """);
    }

    @Test
    void gpuSwitchRebuildsWithTheCudaProfileAndBack() throws Exception {
        run(Map.of("ITAE_GPU", "1"), "embed", "--device", "gpu");
        assertEquals(1, mvnCalls().size());
        assertTrue(mvnCalls().get(0).contains("-Pgpu"), mvnCalls().toString());
        assertTrue(mvnCalls().get(0).contains("compile"), mvnCalls().toString());
        List<String> java = javaArgs();
        assertTrue(java.contains("-Dai.djl.offline=true"), java.toString());
        assertTrue(java.get(java.indexOf("-cp") + 1).contains("pytorch-native-cu124"), java.toString());
        assertEquals(List.of("org.itaestudio.Main", "embed", "--device", "gpu"),
                java.subList(java.size() - 4, java.size()));

        run(Map.of("ITAE_GPU", "1"), "--version");
        assertEquals(1, mvnCalls().size(), "same flavour, unchanged sources: no rebuild");

        run(Map.of(), "--version");
        assertEquals(2, mvnCalls().size(), "CPU run after a CUDA build rebuilds: " + mvnCalls());
        assertFalse(mvnCalls().get(1).contains("-Pgpu"), mvnCalls().toString());
        List<String> cpu = javaArgs();
        assertTrue(cpu.get(cpu.indexOf("-cp") + 1).contains("pytorch-native-cpu"), cpu.toString());
    }

    private void run(Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(prepend("/bin/bash", prepend(checkout.resolve("itae-studio").toString(), args)))
                .directory(tmp.toFile()).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":/usr/bin:/bin");
        pb.environment().put("LOGS", tmp.toString());
        pb.environment().remove("ITAE_GPU");
        pb.environment().remove("ITAE_JAVA_OPTS");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }

    private List<String> mvnCalls() throws IOException {
        Path log = tmp.resolve("mvn.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    private List<String> javaArgs() throws IOException {
        return Files.readAllLines(tmp.resolve("java.args"));
    }

    private void script(String name, String body) throws IOException {
        Path p = bin.resolve(name);
        Files.writeString(p, body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static String[] prepend(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}

package org.itaestudio.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** What a benchmark's {@code main} prints, for the smoke tests (echoed to the test log as well). */
final class PrintedOutput {

    interface Main {
        void run(String[] args) throws Exception;
    }

    private PrintedOutput() {
    }

    static String of(Main main, String... args) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            main.run(args);
        } finally {
            System.setOut(old);
        }
        String text = out.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        return text;
    }
}

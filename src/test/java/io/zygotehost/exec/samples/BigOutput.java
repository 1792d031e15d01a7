package io.zygotehost.exec.samples;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.SplittableRandom;

/** Writes args[0] MB of pseudo-random bytes seeded with args[1] to stdout, and a summary line to stderr. */
public final class BigOutput {

    private BigOutput() {}

    public static void main(String[] args) throws IOException {
        int megabytes = Integer.parseInt(args[0]);
        SplittableRandom random = new SplittableRandom(Long.parseLong(args[1]));
        OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
        byte[] chunk = new byte[1 << 16];
        for (long written = 0; written < (long) megabytes << 20; written += chunk.length) {
            random.nextBytes(chunk);
            out.write(chunk);
        }
        out.flush();
        System.err.println("wrote " + megabytes + " MB with seed " + args[1]);
    }
}

package io.zygotehost.exec.samples;

/** A class without a main method: java says so and exits 1. */
public final class NoMain {

    private NoMain() {}

    public static int notMain(String[] args) {
        return args.length;
    }
}

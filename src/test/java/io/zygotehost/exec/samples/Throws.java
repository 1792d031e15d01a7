package io.zygotehost.exec.samples;

/** An uncaught exception with a cause, thrown a few frames below main: java prints it and exits 1. */
public final class Throws {

    private Throws() {}

    public static void main(String[] args) {
        System.out.println("about to fail");
        deeper(3);
    }

    private static void deeper(int n) {
        if (n == 0) {
            throw new IllegalStateException("the sample failed", new java.io.UncheckedIOException(new java.io.IOException("the cause")));
        }
        deeper(n - 1);
    }
}

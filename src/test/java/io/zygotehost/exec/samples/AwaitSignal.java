package io.zygotehost.exec.samples;

/** Says it is ready, then waits; a shutdown hook says so when a signal (Ctrl-C) ends the JVM. */
public final class AwaitSignal {

    private AwaitSignal() {}

    public static void main(String[] args) throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("shutdown hook ran")));
        System.out.println("ready");
        Thread.sleep(60_000);
        System.out.println("not interrupted");
    }
}

package io.zygotehost.exec.samples;

/** main returns at once; a shutdown hook prints later: java runs it, then exits 0 with its output. */
public final class ShutdownHook {

    private ShutdownHook() {}

    public static void main(String[] args) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.out.println("the shutdown hook ran");
        }));
        System.out.println("main returns");
    }
}

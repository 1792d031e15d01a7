package io.zygotehost.exec.samples;

/** main returns at once; a non-daemon thread prints later: java waits for it, then exits 0. */
public final class LastThread {

    private LastThread() {}

    public static void main(String[] args) {
        Thread.ofPlatform().daemon(false).start(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.out.println("the last thread is done");
        });
        System.out.println("main returns");
    }
}

package io.zygotehost.exec.samples;

/** Writes to both streams, the last bytes without a newline, then System.exit(args[0]). */
public final class Exit {

    private Exit() {}

    public static void main(String[] args) {
        System.out.println("leaving with " + args[0]);
        System.err.print("no newline on stderr");
        System.out.print("no newline on stdout");
        System.exit(Integer.parseInt(args[0]));
    }
}

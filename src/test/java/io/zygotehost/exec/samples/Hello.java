package io.zygotehost.exec.samples;

/** The hello world of bin/bench exec and the tests: one line out, exit 0. */
public final class Hello {

    private Hello() {}

    public static void main(String[] args) {
        System.out.println("hello, world");
    }
}

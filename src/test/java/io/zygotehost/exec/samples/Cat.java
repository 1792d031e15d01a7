package io.zygotehost.exec.samples;

import java.io.IOException;

/** Copies stdin to stdout, then says on stderr how many bytes. */
public final class Cat {

    private Cat() {}

    public static void main(String[] args) throws IOException {
        long n = System.in.transferTo(System.out);
        System.out.flush();
        System.err.println(n + " bytes");
    }
}

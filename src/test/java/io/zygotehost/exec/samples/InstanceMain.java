package io.zygotehost.exec.samples;

/** A JEP 512 instance main method: no static, no arguments. */
final class InstanceMain {

    void main() {
        System.out.println("instance main of " + getClass().getSimpleName());
    }
}

package io.zygotehost.logs;

/**
 * Who printed a line of APP.log: the child's label ("hello@v2 #3", "hello@v2 zygote") and, once its spawn has
 * been reported, its pid. Read by the pipe's reader thread while the master learns the pid.
 */
public final class ChildLabel {

    private final String label;
    private volatile int pid;

    public ChildLabel(String label) {
        this.label = label;
    }

    public void pid(int pid) {
        this.pid = pid;
    }

    @Override
    public String toString() {
        int known = pid;
        return known > 0 ? label + " pid " + known : label;
    }
}

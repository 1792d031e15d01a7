package io.zygotehost.exec.samples;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints what a program can see of its process: the working directory as java.io, java.nio and user.dir
 * see it, a relative file read, the arguments, the environment and the system properties, sorted.
 */
public final class Describe {

    private Describe() {}

    public static void main(String[] args) throws Exception {
        System.out.println("args: " + String.join("|", args));
        System.out.println("io: " + new File("relative").getAbsolutePath());
        System.out.println("nio: " + Path.of("relative").toAbsolutePath());
        System.out.println("canonical: " + new File(".").getCanonicalPath());
        Path marker = Path.of("marker.txt");
        System.out.println("relative read: " + (Files.exists(marker) ? Files.readString(marker).strip() : "no marker.txt"));
        new TreeMap<>(System.getenv()).forEach((name, value) -> System.out.println("env " + name + "=" + value));
        Map<Object, Object> properties = new TreeMap<>(System.getProperties());
        properties.forEach((name, value) -> System.out.println("property " + name + "=" + value));
    }
}

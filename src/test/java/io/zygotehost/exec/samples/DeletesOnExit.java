package io.zygotehost.exec.samples;

import java.io.File;
import java.io.IOException;

/**
 * Creates N files in a folder, each to be deleted on exit, and returns: java deletes them all as it exits,
 * before its exit code is known (thousands of files take the JVM a while to delete).
 */
public final class DeletesOnExit {

    private DeletesOnExit() {}

    public static void main(String[] args) throws IOException {
        int count = Integer.parseInt(args[0]);
        File folder = new File(args[1]);
        for (int i = 0; i < count; i++) {
            File file = new File(folder, "file-" + i);
            if (!file.createNewFile()) {
                throw new IOException("cannot create " + file);
            }
            file.deleteOnExit();
        }
        System.out.println("created " + count + " files to delete on exit");
    }
}

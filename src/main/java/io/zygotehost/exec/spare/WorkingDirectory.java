package io.zygotehost.exec.spare;

import java.io.File;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;

/**
 * The working directory as the JDK sees it. chdir(2) alone is not enough: at start the JDK copies
 * {@code user.dir} into java.io's file system ({@code File.getAbsolutePath}) and java.nio's default file
 * system ({@code Path.toAbsolutePath}), and never reads it again (JDK-8194154). A spare started in
 * another directory sets both copies to the client's, through deep reflection its command line opens
 * ({@code --add-opens java.base/java.io} and {@code java.base/sun.nio.fs}, to the spare's module only).
 *
 * <p>Resolved at warm-up ({@link #resolve}), so that a JDK whose fields differ makes the spare fail to
 * start, with its reason in the server's log, rather than run a program in the wrong directory.
 */
final class WorkingDirectory {

    private static Field ioUserDir;
    private static Object ioFileSystem;
    private static Field nioDefaultDirectory;
    private static FileSystem nioFileSystem;

    private WorkingDirectory() {}

    static void resolve() throws ReflectiveOperationException {
        Field fs = File.class.getDeclaredField("FS");
        fs.setAccessible(true);
        ioFileSystem = fs.get(null);
        ioUserDir = field(ioFileSystem.getClass(), "userDir");
        nioFileSystem = FileSystems.getDefault();
        nioDefaultDirectory = field(nioFileSystem.getClass(), "defaultDirectory");
        if (ioUserDir.getType() != String.class || nioDefaultDirectory.getType() != byte[].class) {
            throw new NoSuchFieldException("the JDK's cached working directories have unexpected types");
        }
    }

    /**
     * @param directory the directory as the JVM decodes it (user.dir)
     * @param raw       its bytes, one char per byte
     */
    static void set(String directory, String raw) {
        try {
            ioUserDir.set(ioFileSystem, directory);
            nioDefaultDirectory.set(nioFileSystem, raw.getBytes(StandardCharsets.ISO_8859_1));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("resolve() made these fields accessible", e);
        }
        System.setProperty("user.dir", directory);
    }

    /** A field declared by the class or one of its superclasses (the nio file system is a subclass). */
    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Field field = c.getDeclaredField(name);
                field.setAccessible(true);
                return field;
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(type.getName() + "." + name);
    }
}

package io.zygotehost.exec.spare;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Loads and runs the main class the way the {@code java} launcher does, with the launcher's own code:
 * {@code sun.launcher.LauncherHelper.checkAndLoadMain} loads the class and checks its main method, and
 * prints the launcher's own messages ("Error: Could not find or load main class ...", "Error: Main method
 * not found in class ...") and exits 1 when it cannot; {@code jdk.internal.misc.MethodFinder} picks the
 * main method as the launcher does (static or instance, with or without {@code String[]}, JEP 512).
 * The spare's command line exports both packages to the spare's module alone.
 */
final class Launch {

    /** LauncherHelper's mode for "a main class on the class path" (java.c's LM_CLASS). */
    private static final int LM_CLASS = 1;
    private static final String LAUNCHER_HELPER = "sun.launcher.LauncherHelper";
    private static final String METHOD_FINDER = "jdk.internal.misc.MethodFinder";

    private final Method checkAndLoadMain;
    private final Method findMainMethod;

    private Launch(Method checkAndLoadMain, Method findMainMethod) {
        this.checkAndLoadMain = checkAndLoadMain;
        this.findMainMethod = findMainMethod;
    }

    /** Resolves what a run needs. Fails, and the spare with it, on a JDK whose internals differ. */
    static Launch prepare() throws ReflectiveOperationException, IOException {
        WorkingDirectory.resolve();
        Method check = Class.forName(LAUNCHER_HELPER).getMethod("checkAndLoadMain", boolean.class, int.class, String.class);
        Method find = Class.forName(METHOD_FINDER).getMethod("findMainMethod", Class.class);
        hideOwnModuleProperties();
        return new Launch(check, find);
    }

    /** The program's run, from the loading of its main class to the return of its main. */
    void run(RunRequest request) throws Throwable {
        Charset platform = Charset.forName(System.getProperty("sun.jnu.encoding"));
        String mainClassName = RunRequest.decoded(request.mainClass(), platform);
        String[] args = request.args().stream().map(arg -> RunRequest.decoded(arg, platform)).toArray(String[]::new);
        String directory = RunRequest.decoded(request.directory(), platform);
        System.setProperty("java.class.path",
                ClassPaths.expandWildcards(RunRequest.decoded(request.classPathAsGiven(), platform), Path.of(directory)));
        System.setProperty("sun.java.command", String.join(" ", commandLine(mainClassName, args)));

        Class<?> mainClass = (Class<?>) unwrap(() -> checkAndLoadMain.invoke(null, true, LM_CLASS, mainClassName));
        Method main = (Method) unwrap(() -> findMainMethod.invoke(null, mainClass));
        boolean isStatic = Modifier.isStatic(main.getModifiers());
        if (isStatic && main.getParameterCount() == 1) {
            try {
                Libc.callStaticMain(mainClass, args); // as the launcher calls it, no access checked
            } catch (Throwable thrown) {
                trimLaunchFrames(thrown, Collections.newSetFromMap(new IdentityHashMap<>()));
                throw thrown;
            }
            return;
        }
        main.setAccessible(true); // the launcher calls through JNI, which checks no access
        Object instance = null;
        if (!isStatic) {
            Constructor<?> constructor = mainClass.getDeclaredConstructor();
            constructor.setAccessible(true);
            instance = unwrap(constructor::newInstance);
        }
        Object target = instance;
        Object[] parameters = main.getParameterCount() == 0 ? new Object[0] : new Object[] {args};
        unwrap(() -> main.invoke(target, parameters));
    }

    /**
     * The properties the JVM made of the spare's own module flags (jdk.module.path, jdk.module.addmods.N,
     * jdk.module.addexports.N, ...): {@code java -cp} would have none. The user's own such flags (from
     * JDK_JAVA_OPTIONS, which come first) keep theirs, with the numbers java would give them. Hidden as the
     * spare starts, not at each run (200 us of it, interpreted): the JVM reads them only to build its boot layer.
     */
    private static void hideOwnModuleProperties() {
        String module = SpareMain.class.getModule().getName();
        String jar;
        try {
            jar = Path.of(SpareMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("the spare's own jar has no path", e);
        }
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("jdk.module.")) {
                String value = System.getProperty(key);
                if (value.equals(module) || value.endsWith("=" + module) || key.equals("jdk.module.path") && value.equals(jar)) {
                    System.clearProperty(key);
                }
            }
        }
    }

    private static List<String> commandLine(String mainClass, String[] args) {
        List<String> words = new ArrayList<>();
        words.add(mainClass);
        words.addAll(Arrays.asList(args));
        return words;
    }

    private interface Call {
        Object call() throws ReflectiveOperationException;
    }

    /**
     * What the program threw, as the launcher would see it: without the reflection wrapper, and without
     * the spare's frames below main, so that "Exception in thread "main"" prints the stack java would.
     */
    private static Object unwrap(Call call) throws Throwable {
        try {
            return call.call();
        } catch (InvocationTargetException e) {
            Throwable thrown = e.getCause();
            trimLaunchFrames(thrown, Collections.newSetFromMap(new IdentityHashMap<>()));
            throw thrown;
        } catch (ExceptionInInitializerError e) {
            trimLaunchFrames(e, Collections.newSetFromMap(new IdentityHashMap<>()));
            throw e;
        }
    }

    /** Removes, from every throwable of the chain that was thrown through this launch, the frames below the program's. */
    static void trimLaunchFrames(Throwable thrown, Set<Throwable> seen) {
        if (thrown == null || !seen.add(thrown)) {
            return;
        }
        StackTraceElement[] frames = thrown.getStackTrace();
        int end = frames.length;
        if (end > 0 && isLaunchFrame(frames[end - 1]) && frames[end - 1].getClassName().equals(SpareMain.class.getName())) {
            while (end > 0 && isLaunchFrame(frames[end - 1])) {
                end--;
            }
            thrown.setStackTrace(Arrays.copyOf(frames, end));
        }
        trimLaunchFrames(thrown.getCause(), seen);
        for (Throwable suppressed : thrown.getSuppressed()) {
            trimLaunchFrames(suppressed, seen);
        }
    }

    private static boolean isLaunchFrame(StackTraceElement frame) {
        String type = frame.getClassName();
        return type.startsWith(SpareMain.class.getPackageName() + ".") || type.startsWith("jdk.internal.reflect.")
                || type.equals(Method.class.getName()) || type.equals(Constructor.class.getName());
    }

    /** The main class of the spare's rehearsal (SpareMain.rehearse): does nothing, through the path a program's main takes. */
    static final class Rehearsal {
        private Rehearsal() {}

        public static void main(String[] args) {
            // nothing: the path to here is what warms up
        }
    }
}

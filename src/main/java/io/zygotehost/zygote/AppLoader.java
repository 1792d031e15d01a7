package io.zygotehost.zygote;

import io.zygotehost.api.AppContext;
import io.zygotehost.api.Application;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/** Finds and instantiates the app's {@link Application} class: the same steps in the zygote's canary and in every worker. */
public final class AppLoader {

    private AppLoader() {}

    public static Application instantiate(String className) throws Exception {
        Class<?> type;
        try {
            type = Class.forName(className);
        } catch (ClassNotFoundException e) {
            throw new Exception("class " + className + " not found in the app's jars", e);
        }
        if (!Application.class.isAssignableFrom(type)) {
            throw new Exception("class " + className + " does not implement " + Application.class.getName());
        }
        try {
            return (Application) type.getConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            throw new Exception("class " + className + " has no public no-argument constructor", e);
        }
    }

    /** One line for the master's log and the reload output: the first cause that says something, with its origin. */
    public static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (!text.isEmpty()) {
                text.append(": ");
            }
            text.append(t.getMessage() != null && t == failure ? t.getMessage() : t.toString());
            if (t.getCause() == t) {
                break;
            }
        }
        StackTraceElement[] frames = rootCause(failure).getStackTrace();
        if (frames.length > 0) {
            text.append(" (at ").append(frames[0]).append(')');
        }
        return text.toString();
    }

    public static String stackTrace(Throwable failure) {
        StringWriter out = new StringWriter();
        failure.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    public record Context(String appName, String version, int workerId, List<String> args) implements AppContext {}
}

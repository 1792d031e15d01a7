package io.zygotehost.exec.spare;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Collections;
import java.util.IdentityHashMap;
import org.junit.jupiter.api.Test;

/** The stack of an exception out of main, as java would print it: without the spare's frames below main. */
class LaunchTest {

    private static StackTraceElement frame(String type, String method) {
        return new StackTraceElement(type, method, type + ".java", 1);
    }

    @Test
    void theSparesFramesBelowMain_areRemoved_fromTheExceptionAndItsCause() {
        StackTraceElement[] program = {frame("com.example.Tool", "fail"), frame("com.example.Tool", "main")};
        StackTraceElement[] launch = {frame("jdk.internal.reflect.DirectMethodHandleAccessor", "invoke"),
                frame("java.lang.reflect.Method", "invoke"), frame(Launch.class.getName(), "run"),
                frame(SpareMain.class.getName(), "main")};
        RuntimeException cause = new RuntimeException("cause");
        cause.setStackTrace(concat(new StackTraceElement[] {frame("com.example.Io", "read")}, program, launch));
        IllegalStateException thrown = new IllegalStateException("failed", cause);
        thrown.setStackTrace(concat(program, launch));
        Launch.trimLaunchFrames(thrown, Collections.newSetFromMap(new IdentityHashMap<>()));
        assertArrayEquals(program, thrown.getStackTrace());
        assertEquals(3, cause.getStackTrace().length);
    }

    @Test
    void anExceptionFromAnotherThread_keepsItsWholeStack() {
        StackTraceElement[] other = {frame("com.example.Worker", "run"), frame("java.lang.Thread", "run")};
        RuntimeException thrown = new RuntimeException("elsewhere");
        thrown.setStackTrace(other);
        Launch.trimLaunchFrames(thrown, Collections.newSetFromMap(new IdentityHashMap<>()));
        assertArrayEquals(other, thrown.getStackTrace());
    }

    private static StackTraceElement[] concat(StackTraceElement[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(StackTraceElement[]::new);
    }
}

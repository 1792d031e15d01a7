package io.zygotehost.api;

import java.util.List;

/** Who and where the app is running: passed to {@link Application#preload} and {@link Application#start}. */
public interface AppContext {

    /** The app's name, the key under {@code apps:} in the config. */
    String appName();

    /** The version being served: {@code version:} from the config, or the release directory's name. */
    String version();

    /** The worker's number within the app, counting from 1; 0 in the zygote's canary run. */
    int workerId();

    /** True in the zygote's canary run, where no request will ever arrive. */
    default boolean isCanary() {
        return workerId() == 0;
    }

    /** The app's {@code args:} from the config. */
    List<String> args();
}

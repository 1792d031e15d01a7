package example.leaky;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.zygotehost.api.AppContext;
import io.zygotehost.api.Application;
import io.zygotehost.api.HttpHandler;
import io.zygotehost.api.Responses;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Leaks on purpose, to show {@code max_worker_memory} at work: every request keeps a new
 * {@code byte[]} of {@code --leak} bytes (default 64k; {@code k} and {@code m} suffixes) for the life
 * of the worker, and answers {@code leaky: retained 12.3 MB in 197 requests}. The worker's PSS grows
 * with every request until the host recycles it (or its heap runs out).
 */
public final class LeakyApp implements Application {

    private static final int DEFAULT_LEAK = 64 * 1024;
    /** What this worker has retained: never released, that is the point. Guarded by itself. */
    private static final List<byte[]> RETAINED = new ArrayList<>();

    private int leak;

    @Override
    public void preload(AppContext context) {
        // Parsed here so a bad --leak fails the zygote's canary, naming the app, before any worker starts.
        leak = leakSize(context.args());
    }

    @Override
    public HttpHandler start(AppContext context) {
        return request -> {
            byte[] block = new byte[leak];
            // Non-zero data writes every page, so the memory is really resident and counts in PSS.
            Arrays.fill(block, (byte) 0x5a);
            long bytes;
            int requests;
            synchronized (RETAINED) {
                RETAINED.add(block);
                requests = RETAINED.size();
                bytes = (long) requests * leak;
            }
            String body = String.format(Locale.ROOT, "leaky: retained %.1f MB in %d requests%n",
                    bytes / (1024.0 * 1024.0), requests);
            return Responses.text(HttpResponseStatus.OK, body);
        };
    }

    private static int leakSize(List<String> args) {
        int at = args.indexOf("--leak");
        if (at < 0) {
            return DEFAULT_LEAK;
        }
        if (at + 1 >= args.size()) {
            throw new IllegalArgumentException("--leak needs a size, such as 64k or 1m");
        }
        String size = args.get(at + 1).strip().toLowerCase(Locale.ROOT);
        long unit = size.endsWith("k") ? 1024 : size.endsWith("m") ? 1024 * 1024 : 1;
        String digits = unit == 1 ? size : size.substring(0, size.length() - 1);
        long bytes;
        try {
            bytes = Math.multiplyExact(Long.parseLong(digits), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("--leak: expected a size such as 65536, 64k or 1m, got \""
                    + args.get(at + 1) + "\"", e);
        }
        if (bytes < 1 || bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("--leak: a size from 1 byte to 2047m, got \"" + args.get(at + 1) + "\"");
        }
        return (int) bytes;
    }
}

package io.zygotehost.ipc;

import com.fasterxml.jackson.core.JsonGenerator;
import io.zygotehost.ipc.WireJson.Fields;
import io.zygotehost.metrics.Traffic;
import io.zygotehost.status.HostStatus;
import io.zygotehost.status.StatusJson;
import java.io.IOException;
import java.util.List;

/**
 * The one codec of the wire: a {@link Message} as one line of JSON, its kind in {@code "type"}
 * ({@code {"type":"worker_exited","workerId":3,"pid":4242,"exitCode":0,"signal":9}}), the fields by
 * their record names. Each message writes and reads its own fields here, on {@link WireJson}; an
 * {@code instanceof} chain, not a pattern {@code switch}, whose first use generates a class (5 to 7 ms
 * measured on a spare's activation path).
 */
public final class MessageCodec {

    private MessageCodec() {}

    public static String encode(Message message) {
        return WireJson.object(out -> write(message, out));
    }

    /** The message on this line; an IOException for a line that is not one (unknown type, a field of the wrong kind). */
    public static Message decode(String line) throws IOException {
        Fields fields = WireJson.read(line);
        try {
            return read(fields.text("type"), fields);
        } catch (RuntimeException e) {
            throw new IOException("not a message (" + e.getMessage() + "): " + line, e);
        }
    }

    /** Its {@code type} first, then its fields; the names here and in {@link #read} are the wire's. */
    private static void write(Message message, JsonGenerator out) throws IOException {
        if (message instanceof Message.Hello m) {
            out.writeStringField("type", "hello");
            out.writeStringField("role", m.role().name());
            out.writeNumberField("generation", m.generation());
            out.writeNumberField("workerId", m.workerId());
            out.writeNumberField("pid", m.pid());
        } else if (message instanceof Message.CanaryPassed) {
            out.writeStringField("type", "canary_passed");
        } else if (message instanceof Message.CanaryFailed m) {
            out.writeStringField("type", "canary_failed");
            out.writeStringField("reason", m.reason());
        } else if (message instanceof Message.SpawnWorker m) {
            out.writeStringField("type", "spawn_worker");
            out.writeNumberField("workerId", m.workerId());
            out.writeBooleanField("spare", m.spare());
            out.writeStringField("output", m.output());
            out.writeStringField("accessLog", m.accessLog());
        } else if (message instanceof Message.WorkerSpawned m) {
            out.writeStringField("type", "worker_spawned");
            out.writeNumberField("workerId", m.workerId());
            out.writeNumberField("pid", m.pid());
        } else if (message instanceof Message.WorkerSpawnFailed m) {
            out.writeStringField("type", "worker_spawn_failed");
            out.writeNumberField("workerId", m.workerId());
            out.writeStringField("reason", m.reason());
        } else if (message instanceof Message.WorkerExited m) {
            out.writeStringField("type", "worker_exited");
            out.writeNumberField("workerId", m.workerId());
            out.writeNumberField("pid", m.pid());
            out.writeNumberField("exitCode", m.exitCode());
            out.writeNumberField("signal", m.signal());
        } else if (message instanceof Message.WorkerReady) {
            out.writeStringField("type", "worker_ready");
        } else if (message instanceof Message.WorkerFailed m) {
            out.writeStringField("type", "worker_failed");
            out.writeStringField("reason", m.reason());
        } else if (message instanceof Message.Heartbeat m) {
            out.writeStringField("type", "heartbeat");
            out.writeNumberField("requests", m.requests());
            out.writeNumberField("inFlight", m.inFlight());
            out.writeNumberField("stuck", m.stuck());
            out.writeObjectFieldStart("traffic");
            // snake_case, as Traffic is in the status JSON
            WireJson.writeLongs(out, "responses", m.traffic().responses());
            WireJson.writeLongs(out, "latency_buckets", m.traffic().latencyBuckets());
            out.writeNumberField("latency_sum_nanos", m.traffic().latencySumNanos());
            out.writeEndObject();
        } else if (message instanceof Message.Drain) {
            out.writeStringField("type", "drain");
        } else if (message instanceof Message.Activate) {
            out.writeStringField("type", "activate");
        } else if (message instanceof Message.Reload) {
            out.writeStringField("type", "reload");
        } else if (message instanceof Message.ReloadDone m) {
            out.writeStringField("type", "reload_done");
            out.writeBooleanField("ok", m.ok());
            WireJson.writeTexts(out, "lines", m.lines());
        } else if (message instanceof Message.StatusRequest) {
            out.writeStringField("type", "status_request");
        } else if (message instanceof Message.StatusReport m) {
            out.writeStringField("type", "status_report");
            out.writeFieldName("status");
            StatusJson.mapper().writeValue(out, m.status());
        } else {
            throw new IllegalArgumentException("no wire name for " + message);
        }
    }

    private static Message read(String type, Fields in) throws IOException {
        return switch (type == null ? "" : type) {
            case "hello" -> new Message.Hello(Message.Role.valueOf(in.text("role")), in.integer("generation"),
                    in.integer("workerId"), in.integer("pid"));
            case "canary_passed" -> new Message.CanaryPassed();
            case "canary_failed" -> new Message.CanaryFailed(in.text("reason"));
            case "spawn_worker" -> new Message.SpawnWorker(in.integer("workerId"), in.flag("spare"), in.text("output"),
                    in.text("accessLog"));
            case "worker_spawned" -> new Message.WorkerSpawned(in.integer("workerId"), in.integer("pid"));
            case "worker_spawn_failed" -> new Message.WorkerSpawnFailed(in.integer("workerId"), in.text("reason"));
            case "worker_exited" -> new Message.WorkerExited(in.integer("workerId"), in.integer("pid"),
                    in.integer("exitCode"), in.integer("signal"));
            case "worker_ready" -> new Message.WorkerReady();
            case "worker_failed" -> new Message.WorkerFailed(in.text("reason"));
            case "heartbeat" -> new Message.Heartbeat(in.number("requests"), in.integer("inFlight"), in.integer("stuck"),
                    traffic(in.object("traffic")));
            case "drain" -> new Message.Drain();
            case "activate" -> new Message.Activate();
            case "reload" -> new Message.Reload();
            case "reload_done" -> new Message.ReloadDone(in.flag("ok"), in.texts("lines"));
            case "status_request" -> new Message.StatusRequest();
            case "status_report" -> new Message.StatusReport(status(in.object("status")));
            default -> throw new IOException("unknown message type \"" + type + "\"");
        };
    }

    private static HostStatus status(Fields in) {
        return in == null ? null : StatusJson.mapper().convertValue(in.values(), HostStatus.class);
    }

    private static Traffic traffic(Fields in) {
        return in == null ? Traffic.NONE
                : new Traffic(in.longs("responses"), in.longs("latency_buckets"), in.number("latency_sum_nanos"));
    }

    /**
     * Encodes and decodes one of each message that must go fast once the process is up: a worker's death and
     * a spare's activation, so that their code is loaded and linked before it is on the path from a crash to
     * its replacement serving (with databind, which built a type's (de)serializer at its first use, that
     * path took 28 ms more from a worker's SIGKILL to the master's news of it, and 27 ms more to the activation).
     */
    public static void warmUp() {
        List<Message> samples = List.of(new Message.WorkerExited(1, 1, 0, 9),
                new Message.WorkerSpawned(1, 1), new Message.SpawnWorker(1, true, "", ""), new Message.Activate(),
                new Message.WorkerReady(), new Message.Drain());
        for (Message sample : samples) {
            try {
                if (!decode(encode(sample)).equals(sample)) {
                    throw new IllegalStateException("the codec does not round-trip " + sample);
                }
            } catch (IOException e) {
                throw new IllegalStateException("the codec cannot read back " + sample, e);
            }
        }
    }
}

package io.zygotehost.ipc;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MessageCodecTest {

    @Test
    void theWarmUpRoundTripsTheMessagesOfACrashAndAnActivation() {
        // It checks each sample comes back equal, and throws if one does not: a warm-up that passes proves the codec.
        assertDoesNotThrow(MessageCodec::warmUp);
    }

    @Test
    void aMessageIsOneLineNamedByItsType() {
        String line = MessageCodec.encode(new Message.WorkerExited(3, 4242, 0, 9));
        assertEquals("{\"type\":\"worker_exited\",\"workerId\":3,\"pid\":4242,\"exitCode\":0,\"signal\":9}", line);
    }
}

package io.borderflow.bench;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;

/** Sends the input file's records to Kafka as fast as the producer takes them. */
final class Feeder {
    private Feeder() {
    }

    /**
     * Sends every record of {@code input} to the topics named (by input topic index) and flushes.
     *
     * @return the {@link System#nanoTime()} of the first send: when the first input record was produced
     */
    static long sendAll(InputFile input, Producer<byte[], byte[]> producer, List<String> topicNames) throws IOException {
        AtomicReference<Exception> failure = new AtomicReference<>();
        Callback onAck = (m, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        };
        long first = 0;
        try (InputFile.Reader reader = input.open()) {
            InputFile.Entry e;
            while ((e = reader.next()) != null) {
                if (first == 0) {
                    first = System.nanoTime();
                }
                producer.send(e.to(topicNames.get(e.topic())), onAck);
                if (failure.get() != null) {
                    break;
                }
            }
        }
        producer.flush();
        check(failure);
        return first;
    }

    static void check(AtomicReference<Exception> failure) throws IOException {
        Exception e = failure.get();
        if (e != null) {
            throw new IOException("producing the benchmark input failed: " + e.getMessage(), e);
        }
    }
}

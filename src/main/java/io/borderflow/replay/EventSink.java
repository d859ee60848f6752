package io.borderflow.replay;

import java.io.IOException;
import org.apache.avro.specific.SpecificRecord;

/** Where a replay puts its events: Kafka topics or a JSON-lines file. */
public interface EventSink extends AutoCloseable {
    void accept(SpecificRecord event) throws IOException;

    /** The input is complete: nothing older than what was accepted will follow. */
    default void finish() throws IOException {
    }

    /** Waits until everything accepted so far is durably written. */
    void flush() throws IOException;

    @Override
    void close() throws IOException;
}

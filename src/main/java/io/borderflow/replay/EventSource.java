package io.borderflow.replay;

import java.io.IOException;
import org.apache.avro.specific.SpecificRecord;

/**
 * A stream of replay events: {@link io.borderflow.avro.Crossing}, {@link io.borderflow.avro.Registration}
 * or {@link io.borderflow.avro.IinApplication}. Built-in scenarios yield them in event-time order;
 * user files yield them in file order.
 */
public interface EventSource extends AutoCloseable {
    /**
     * The next valid event, or {@code null} at the end. A bad record is passed to the source's
     * reject handler and skipped; the source never throws for bad data.
     */
    SpecificRecord next() throws IOException;

    @Override
    void close() throws IOException;
}

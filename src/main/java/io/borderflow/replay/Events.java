package io.borderflow.replay;

import io.borderflow.avro.Crossing;
import io.borderflow.avro.IinApplication;
import io.borderflow.avro.Registration;
import io.borderflow.config.TopicSpec;
import io.borderflow.config.Topics;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/** What every replay event has in common, whatever its type. */
public final class Events {
    private Events() {
    }

    public static Instant time(SpecificRecord event) {
        if (event instanceof Crossing c) {
            return c.getTime();
        }
        if (event instanceof Registration r) {
            return r.getTime();
        }
        if (event instanceof IinApplication a) {
            return a.getTime();
        }
        throw unexpected(event);
    }

    /** The Kafka key: the traveller, so one traveller's events stay on one partition in order. */
    public static String key(SpecificRecord event) {
        if (event instanceof Crossing c) {
            return c.getTravellerId() != null ? c.getTravellerId() : c.getEventId();
        }
        if (event instanceof Registration r) {
            return r.getTravellerId();
        }
        if (event instanceof IinApplication a) {
            return a.getTravellerId();
        }
        throw unexpected(event);
    }

    public static TopicSpec topic(SpecificRecord event) {
        if (event instanceof Crossing) {
            return Topics.CROSSINGS;
        }
        if (event instanceof Registration) {
            return Topics.REGISTRATIONS;
        }
        if (event instanceof IinApplication) {
            return Topics.IIN_APPLICATIONS;
        }
        throw unexpected(event);
    }

    private static IllegalArgumentException unexpected(SpecificRecord event) {
        return new IllegalArgumentException("not a replay event: " + (event == null ? "null" : event.getClass().getName()));
    }
}

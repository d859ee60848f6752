package io.borderflow.replay;

import io.borderflow.avro.Crossing;
import io.borderflow.avro.Registration;
import java.io.IOException;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;

/** Moves every event of a source into a sink at the pacer's speed, observing each one on the way. */
public final class Replay {
    private Replay() {
    }

    public static ReplayStats run(EventSource source, EventSink sink, Pacer pacer, Progress progress,
                                  Consumer<SpecificRecord> observer) throws IOException, InterruptedException {
        long start = 0;
        long crossings = 0;
        long registrations = 0;
        long iins = 0;
        SpecificRecord event;
        while ((event = source.next()) != null) {
            if (start == 0) {
                // A scenario's warm-up runs before its first event; the rate is of the replay itself.
                start = System.nanoTime();
            }
            long t = Events.time(event).toEpochMilli();
            pacer.await(t);
            sink.accept(event);
            observer.accept(event);
            progress.update(t);
            if (event instanceof Crossing) {
                crossings++;
            } else if (event instanceof Registration) {
                registrations++;
            } else {
                iins++;
            }
        }
        sink.finish();
        sink.flush();
        progress.finish();
        return new ReplayStats(crossings, registrations, iins, start == 0 ? 0 : (System.nanoTime() - start) / 1e9);
    }
}

package io.borderflow.replay;

import io.borderflow.avro.Crossing;
import io.borderflow.avro.IinApplication;
import io.borderflow.avro.Registration;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.apache.avro.specific.SpecificRecord;

/**
 * Events from a JSON-lines file in the {@link EventJson} format, in file order. Blank lines are skipped;
 * every other bad line becomes one {@link Reject} and reading goes on. Traveller ids are passed through the
 * pseudonymiser (pass {@link UnaryOperator#identity()} for a file whose ids are already pseudonyms, such as
 * one written by {@code --to-file}).
 */
public final class JsonLinesSource implements EventSource {
    private final String source;
    private final Consumer<Reject> rejects;
    private final UnaryOperator<String> pseudonymiser;
    private final EventJson json;
    private final LineReader reader;

    public JsonLinesSource(Path path, Consumer<Reject> rejects, UnaryOperator<String> pseudonymiser, ZoneId zone,
            Clock clock) throws IOException {
        this.source = path.toString();
        this.rejects = Objects.requireNonNull(rejects, "rejects");
        this.pseudonymiser = Objects.requireNonNull(pseudonymiser, "pseudonymiser");
        this.json = new EventJson(zone, clock);
        this.reader = LineReader.open(path);
    }

    @Override
    public SpecificRecord next() throws IOException {
        String line;
        while ((line = reader.readLine()) != null) {
            if (reader.lastTooLong()) {
                reject("line longer than " + LineReader.MAX_LINE + " characters", line);
                continue;
            }
            if (line.isBlank()) {
                continue;
            }
            if (line.indexOf('\uFFFD') >= 0) {
                reject("not valid UTF-8", line);
                continue;
            }
            try {
                return pseudonymise(json.parseOrThrow(line));
            } catch (InvalidEventException e) {
                reject(e.reason(), line);
            }
        }
        return null;
    }

    private SpecificRecord pseudonymise(SpecificRecord e) {
        if (e instanceof Crossing c) {
            if (c.getTravellerId() != null) {
                c.setTravellerId(pseudonymiser.apply(c.getTravellerId()));
            }
        } else if (e instanceof Registration r) {
            r.setTravellerId(pseudonymiser.apply(r.getTravellerId()));
        } else if (e instanceof IinApplication a) {
            a.setTravellerId(pseudonymiser.apply(a.getTravellerId()));
        }
        return e;
    }

    private void reject(String reason, String raw) {
        rejects.accept(new Reject(source, reader.lineNumber(), reason, raw));
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}

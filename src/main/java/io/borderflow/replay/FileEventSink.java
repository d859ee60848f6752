package io.borderflow.replay;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import org.apache.avro.specific.SpecificRecord;

/** Writes events as JSON lines, the same format the replay accepts as input. */
public final class FileEventSink implements EventSink {
    private final EventJson.LineWriter writer;

    public FileEventSink(Path file, ZoneId zone) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        this.writer = new EventJson(zone).newWriter(out);
    }

    @Override
    public void accept(SpecificRecord event) throws IOException {
        writer.write(event);
    }

    @Override
    public void flush() throws IOException {
        writer.flush();
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }
}

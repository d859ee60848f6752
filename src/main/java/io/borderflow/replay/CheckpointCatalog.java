package io.borderflow.replay;

import io.borderflow.avro.Checkpoint;
import io.borderflow.avro.Mode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The checkpoints reference data: id to name, region, mode and the checkpoint opposite. */
public final class CheckpointCatalog {
    private static final String RESOURCE = "/checkpoints.csv";
    private final Map<String, Checkpoint> byId;

    private CheckpointCatalog(Map<String, Checkpoint> byId) {
        this.byId = Collections.unmodifiableMap(byId);
    }

    /** The catalog shipped with borderflow. */
    public static CheckpointCatalog builtIn() {
        try (InputStream in = CheckpointCatalog.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CheckpointCatalog parse(InputStream in) throws IOException {
        Map<String, Checkpoint> byId = new LinkedHashMap<>();
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        int n = 0;
        while ((line = r.readLine()) != null) {
            n++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length != 5) {
                throw new IllegalStateException(RESOURCE + ":" + n + ": expected 5 fields");
            }
            byId.put(f[0], new Checkpoint(f[0], f[1], f[2], Mode.valueOf(f[3]), f[4].isEmpty() ? null : f[4]));
        }
        return new CheckpointCatalog(byId);
    }

    public Optional<Checkpoint> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public Collection<Checkpoint> all() {
        return byId.values();
    }
}

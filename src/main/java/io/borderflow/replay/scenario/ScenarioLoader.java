package io.borderflow.replay.scenario;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.borderflow.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** Loads a scenario by built-in name or from a YAML/JSON file, with errors that name the field. */
public final class ScenarioLoader {
    public static final List<String> BUILT_IN = List.of("sept-2022-surge", "baseline");

    private ScenarioLoader() {
    }

    public static Scenario builtIn(String name) {
        if (!BUILT_IN.contains(name)) {
            throw new ConfigException("unknown scenario '" + name + "' (built in: " + String.join(", ", BUILT_IN)
                    + "; or give a scenario file)");
        }
        String resource = "/scenarios/" + name + ".yaml";
        try (InputStream in = ScenarioLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return read(in, resource, true);
        } catch (IOException e) {
            throw new ConfigException(resource + ": " + e.getMessage(), e);
        }
    }

    /** A built-in name, or a path to a {@code .yaml}, {@code .yml} or {@code .json} file. */
    public static Scenario load(String nameOrPath) {
        if (BUILT_IN.contains(nameOrPath)) {
            return builtIn(nameOrPath);
        }
        Path file = Path.of(nameOrPath);
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("scenario '" + nameOrPath + "' is neither built in ("
                    + String.join(", ", BUILT_IN) + ") nor a readable file");
        }
        boolean yaml = !file.getFileName().toString().toLowerCase().endsWith(".json");
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), yaml);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    static Scenario read(InputStream in, String source, boolean yaml) throws IOException {
        ObjectMapper mapper = (yaml ? new ObjectMapper(new YAMLFactory()) : new ObjectMapper())
                .registerModule(new JavaTimeModule())
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        try {
            return mapper.readValue(in, Scenario.class);
        } catch (JsonMappingException e) {
            String path = e.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String why = root instanceof IllegalArgumentException ? root.getMessage() : e.getOriginalMessage();
            String at = e.getLocation() == null ? "" : ":" + e.getLocation().getLineNr();
            throw new ConfigException(source + at + ": " + (path.isEmpty() ? "" : "at '" + path + "': ")
                    + firstLine(why), e);
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? "" : ":" + e.getLocation().getLineNr();
            throw new ConfigException(source + at + ": " + firstLine(e.getOriginalMessage()), e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid scenario";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}

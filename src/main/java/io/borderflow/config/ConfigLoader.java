package io.borderflow.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** Reads a {@code .properties}, {@code .yaml}/{@code .yml} or {@code .json} file into flat keys. */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /** Defaults, then the file (if given), then the overrides. */
    public static BorderflowConfig load(Path file, Map<String, String> overrides) {
        BorderflowConfig base = file == null ? BorderflowConfig.defaults() : BorderflowConfig.of(readFlat(file));
        return base.with(overrides);
    }

    public static Map<String, String> readFlat(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException("config file not found: " + file);
        }
        String name = file.getFileName().toString().toLowerCase();
        try {
            if (name.endsWith(".properties")) {
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(file)) {
                    p.load(r);
                }
                Map<String, String> flat = new TreeMap<>();
                p.stringPropertyNames().forEach(k -> flat.put(k, p.getProperty(k).trim()));
                return flat;
            }
            if (name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json")) {
                ObjectMapper mapper = name.endsWith(".json") ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
                JsonNode root = mapper.readTree(file.toFile());
                Map<String, String> flat = new TreeMap<>();
                if (root != null && !root.isMissingNode() && !root.isNull()) {
                    if (!root.isObject()) {
                        throw new ConfigException(file + ": expected a mapping of keys to values at the top");
                    }
                    flatten("", root, flat, file);
                }
                return flat;
            }
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read config: " + firstLine(e.getMessage()), e);
        }
        throw new ConfigException(file + ": unknown config format (use .properties, .yaml, .yml or .json)");
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out, Path file) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> e = fields.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out, file);
            }
        } else if (node.isArray()) {
            throw new ConfigException(file + ": key '" + prefix + "' is a list; give a single value (comma-separated if several)");
        } else if (!node.isNull()) {
            out.put(prefix, node.asText());
        }
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}

package io.borderflow.cli;

import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.ConfigLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options every command that talks to Kafka shares: the config file and overrides. */
public final class ConfigOptions {
    @Option(names = "--config", paramLabel = "FILE",
            description = "Configuration file (.properties, .yaml or .json). Keys under kafka.* go to every Kafka client (SASL/SSL).")
    Path configFile;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "An existing Kafka cluster. Without it, an embedded broker is started.")
    String bootstrapServers;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one configuration key (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    BorderflowConfig load(Map<String, String> commandOverrides) {
        Map<String, String> all = new LinkedHashMap<>(overrides);
        all.putAll(commandOverrides);
        if (bootstrapServers != null) {
            all.put(BorderflowConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        }
        return ConfigLoader.load(configFile, all);
    }
}

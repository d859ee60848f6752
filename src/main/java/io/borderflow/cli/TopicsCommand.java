package io.borderflow.cli;

import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.TopicSpec;
import io.borderflow.config.Topics;
import io.borderflow.kafka.KafkaConnection;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "List borderflow's topics (name, partitions, configs, value type), or create the missing ones.")
public final class TopicsCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--create", description = "Create missing topics on the cluster given by --bootstrap-servers.")
    boolean create;

    @Override
    public Integer call() {
        BorderflowConfig config = configOptions.load(Map.of());
        if (create) {
            if (config.bootstrapServers().isEmpty()) {
                throw new IllegalArgumentException("--create needs --bootstrap-servers (the embedded broker creates its topics itself)");
            }
            try (KafkaConnection kafka = KafkaConnection.open(config)) {
                ReplayCommand.prepareTopics(config, kafka, System.out);
            }
            return 0;
        }
        System.out.printf("%-28s %10s  %-40s %s%n", "topic", "partitions", "configs", "value (Avro)");
        for (TopicSpec t : Topics.ALL) {
            System.out.printf("%-28s %10d  %-40s %s%n", t.name(), t.partitions(config), t.configs(config),
                    t.valueType().getSimpleName());
        }
        return 0;
    }
}

package io.borderflow.cli;

import io.borderflow.broker.EmbeddedKafkaBroker;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.Topics;
import io.borderflow.kafka.KafkaClients;
import io.borderflow.kafka.TopicAdmin;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Run a single-node Kafka broker (KRaft) in this process, on 127.0.0.1 only,",
                "with borderflow's topics created. State is kept in the data directory across restarts."})
public final class BrokerCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--port", description = "Client port (0 = any free port). Default: broker.port, 9092.")
    Integer port;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory. Default: broker.data.dir, data/broker.")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        if (port != null) {
            o.put(BorderflowConfig.BROKER_PORT, port.toString());
        }
        if (dataDir != null) {
            o.put(BorderflowConfig.BROKER_DATA_DIR, dataDir.toString());
        }
        BorderflowConfig config = configOptions.load(o);
        if (config.bootstrapServers().isPresent()) {
            throw new IllegalArgumentException("broker runs a local broker; --bootstrap-servers does not apply");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(config.brokerDataDir(), config.brokerPort(),
                config.brokerControllerPort());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "broker-shutdown"));
        try (Admin admin = Admin.create(KafkaClients.admin(config, broker.bootstrapServers()))) {
            TopicAdmin.Result r = TopicAdmin.ensureTopics(admin, Topics.ALL, config);
            if (!r.created().isEmpty()) {
                System.out.println("created topics: " + String.join(", ", r.created()));
            }
            r.warnings().forEach(w -> System.err.println("warning: " + w));
        }
        System.out.printf("Kafka broker ready at %s (data in %s, cluster %s, started in %d ms). Ctrl-C stops it.%n",
                broker.bootstrapServers(), broker.dataDir(), broker.clusterId(), broker.startupTime().toMillis());
        stopped.await();
        return 0;
    }
}

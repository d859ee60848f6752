package io.borderflow.cli;

import io.borderflow.app.StreamApp;
import io.borderflow.config.BorderflowConfig;
import io.borderflow.kafka.KafkaConnection;
import io.borderflow.view.BuiltInView;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "stream", mixinStandardHelpOptions = true,
        description = {"Run the stream processing (net flows, daily counts, alerts) until Ctrl-C, against",
                "--bootstrap-servers or, without it, an embedded broker."})
public final class StreamCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions configOptions;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "data/streams",
            description = "Kafka Streams state (RocksDB). Default: ${DEFAULT-VALUE}.")
    Path stateDir;

    @Override
    @SuppressWarnings("try") // the view only needs closing
    public Integer call() throws Exception {
        BorderflowConfig config = configOptions.load(Map.of());
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        // Ctrl-C: let the main thread close the app and broker cleanly before the JVM goes.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                closed.await(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "stream-shutdown"));
        try (KafkaConnection kafka = KafkaConnection.open(config)) {
            ReplayCommand.prepareTopics(config, kafka, System.out);
            try (StreamApp app = StreamApp.start(config, kafka.bootstrapServers(), stateDir, Duration.ofMinutes(2));
                 BuiltInView view = BuiltInView.start(app.http(), kafka.consumerProperties(), config.zone())) {
                System.out.printf("stream app %s running against %s (state in %s). Ctrl-C stops it.%n",
                        app.applicationId(), kafka.bootstrapServers(), stateDir);
                System.out.printf("built-in view at %s/%n", app.http().baseUri());
                System.out.printf("lookups at %s/travellers/{id}/stay and %s/overstays%s%n", app.http().baseUri(),
                        app.http().baseUri(), app.http().tokenRequired() ? " (bearer token required)" : "");
                stop.await();
            }
        } finally {
            closed.countDown();
        }
        return 0;
    }
}

package io.borderflow.flow;

import io.borderflow.metrics.BorderMetrics;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.ProcessingContext;

/**
 * Counters of records the net-flow stages set aside, as Kafka Streams metrics (group
 * {@code stream-flow-metrics}, a {@code <reason>-total} and {@code <reason>-rate} per task), so the
 * metrics binder publishes them with the rest of the app's metrics. Each is also counted in the
 * domain metrics ({@link BorderMetrics}) by reason and stage; late records there by window, by the
 * aggregator that knows the window.
 */
final class FlowMetrics {
    enum Reason { LATE, DUPLICATE, DESERIALIZATION, EMPTY, INVALID, UNKNOWN_CHECKPOINT }

    private final Map<Reason, Sensor> sensors = new EnumMap<>(Reason.class);
    private final String stage;

    FlowMetrics(ProcessingContext context) {
        this(context, "flow");
    }

    /** {@code stage}: the domain metrics' stage label (flow, counts). */
    FlowMetrics(ProcessingContext context, String stage) {
        this.stage = stage;
        String task = context.taskId().toString();
        for (Reason r : Reason.values()) {
            sensors.put(r, context.metrics().addRateTotalSensor("flow", task,
                    r.name().toLowerCase().replace('_', '-'), Sensor.RecordingLevel.INFO));
        }
    }

    void record(Reason reason) {
        sensors.get(reason).record(1.0);
        BorderMetrics m = BorderMetrics.global();
        switch (reason) {
            case LATE -> { }
            case DUPLICATE -> {
                // The copy goes to the dead-letter topic too, so both counters see it.
                m.duplicate(stage);
                m.deadLetter(reason.name(), stage);
            }
            case UNKNOWN_CHECKPOINT -> m.dataQuality(reason.name(), stage);
            default -> m.deadLetter(reason.name(), stage);
        }
    }

    void record(String reason) {
        try {
            record(Reason.valueOf(reason));
        } catch (IllegalArgumentException e) {
            // a reason without a counter of its own: nothing to count
        }
    }
}

package io.borderflow.flow;

import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.ProcessingContext;

/**
 * Counters of records the net-flow stages set aside, as Kafka Streams metrics (group
 * {@code stream-flow-metrics}, a {@code <reason>-total} and {@code <reason>-rate} per task), so the
 * metrics binder publishes them with the rest of the app's metrics.
 */
final class FlowMetrics {
    enum Reason { LATE, DUPLICATE, DESERIALIZATION, EMPTY, UNKNOWN_CHECKPOINT }

    private final Map<Reason, Sensor> sensors = new EnumMap<>(Reason.class);

    FlowMetrics(ProcessingContext context) {
        String task = context.taskId().toString();
        for (Reason r : Reason.values()) {
            sensors.put(r, context.metrics().addRateTotalSensor("flow", task,
                    r.name().toLowerCase().replace('_', '-'), Sensor.RecordingLevel.INFO));
        }
    }

    void record(Reason reason) {
        sensors.get(reason).record(1.0);
    }

    void record(String reason) {
        try {
            record(Reason.valueOf(reason));
        } catch (IllegalArgumentException e) {
            // a reason without a counter of its own: nothing to count
        }
    }
}

package io.borderflow.flow;

import io.borderflow.avro.DailyCount;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Counts IIN and registration events per local day and dimension. Keys read
 * {@code stream|dimension|value}, e.g. {@code iin.APPLIED|region+citizenship|Almaty|RU}.
 * A late event re-emits the day's final count with the correction applied.
 */
final class DailyCountAggregator extends WindowAggregator<Long> {
    static final String STORE_PREFIX = "daily-count";

    DailyCountAggregator(FlowSettings settings) {
        super(settings, STORE_PREFIX, false);
    }

    @Override
    protected long first(Long value) {
        return value == null ? 1 : value;
    }

    @Override
    protected long second(Long value) {
        return 0;
    }

    @Override
    protected Record<String, SpecificRecord> result(WindowKey w, WindowCounts c, boolean isFinal) {
        String[] parts = w.key().split("\\|", 3);
        DailyCount v = new DailyCount(parts[0], parts[1], parts[2], windows.day(w.start()), c.first(), isFinal);
        return new Record<>(w.key(), v, w.end() - 1);
    }
}

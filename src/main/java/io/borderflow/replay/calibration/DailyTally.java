package io.borderflow.replay.calibration;

import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.IinApplication;
import io.borderflow.avro.IinStage;
import io.borderflow.replay.Events;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;

/**
 * Per local day counts of what the published figures measure: Russian entries and exits,
 * IINs issued to Russians, and IIN applications from all foreigners.
 */
public final class DailyTally implements Consumer<SpecificRecord> {
    public static final String RUSSIA = "RU";

    private final ZoneId zone;
    private final Map<LocalDate, long[]> days = new TreeMap<>();
    private long dayStartMs = Long.MAX_VALUE;
    private long dayEndMs = Long.MIN_VALUE;
    private long[] current;

    public enum Measure { RU_IN, RU_OUT, RU_IIN_ISSUED, ALL_IIN_APPLIED }

    public DailyTally(ZoneId zone) {
        this.zone = zone;
    }

    @Override
    public void accept(SpecificRecord event) {
        Measure m = measureOf(event);
        if (m != null) {
            bucket(Events.time(event).toEpochMilli())[m.ordinal()]++;
        }
    }

    private static Measure measureOf(SpecificRecord event) {
        if (event instanceof Crossing c) {
            if (!RUSSIA.equals(c.getCitizenship())) {
                return null;
            }
            return c.getDirection() == Direction.ENTRY ? Measure.RU_IN : Measure.RU_OUT;
        }
        if (event instanceof IinApplication a) {
            if (a.getStage() == IinStage.APPLIED) {
                return Measure.ALL_IIN_APPLIED;
            }
            return RUSSIA.equals(a.getCitizenship()) ? Measure.RU_IIN_ISSUED : null;
        }
        return null;
    }

    /** Events mostly arrive in time order, so the last day's bucket is cached. */
    private long[] bucket(long timeMs) {
        if (timeMs < dayStartMs || timeMs >= dayEndMs) {
            LocalDate day = java.time.Instant.ofEpochMilli(timeMs).atZone(zone).toLocalDate();
            dayStartMs = day.atStartOfDay(zone).toInstant().toEpochMilli();
            dayEndMs = day.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
            current = days.computeIfAbsent(day, d -> new long[Measure.values().length]);
        }
        return current;
    }

    public long on(LocalDate day, Measure m) {
        long[] counts = days.get(day);
        return counts == null ? 0 : counts[m.ordinal()];
    }

    /** Sum over the inclusive date range. */
    public long sum(LocalDate from, LocalDate to, Measure m) {
        long total = 0;
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            total += on(d, m);
        }
        return total;
    }

    public double average(LocalDate from, LocalDate to, Measure m) {
        long n = java.time.temporal.ChronoUnit.DAYS.between(from, to) + 1;
        return (double) sum(from, to, m) / n;
    }

    public long max(LocalDate from, LocalDate to, Measure m) {
        long best = 0;
        for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
            best = Math.max(best, on(d, m));
        }
        return best;
    }

    public boolean covers(LocalDate from, LocalDate to) {
        return !days.isEmpty() && !((TreeMap<LocalDate, long[]>) days).firstKey().isAfter(from)
                && !((TreeMap<LocalDate, long[]>) days).lastKey().isBefore(to);
    }

    public ZoneId zone() {
        return zone;
    }
}

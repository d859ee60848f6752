package io.borderflow.replay.scenario;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A daily quantity given at dated points, interpolated linearly between them and held flat
 * before the first and after the last. In a scenario file: a single number (constant) or a
 * mapping of {@code YYYY-MM-DD: value}.
 */
public final class Curve {
    private final NavigableMap<LocalDate, Double> points;

    private Curve(NavigableMap<LocalDate, Double> points) {
        this.points = points;
    }

    public static Curve constant(double value) {
        TreeMap<LocalDate, Double> p = new TreeMap<>();
        p.put(LocalDate.EPOCH, value);
        return new Curve(p);
    }

    @JsonCreator
    public static Curve fromJson(Object json) {
        if (json instanceof Number n) {
            return constant(check(n.doubleValue(), "value"));
        }
        if (json instanceof Map<?, ?> m && !m.isEmpty()) {
            TreeMap<LocalDate, Double> p = new TreeMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                LocalDate d;
                try {
                    d = LocalDate.parse(String.valueOf(e.getKey()));
                } catch (java.time.format.DateTimeParseException ex) {
                    throw new IllegalArgumentException("curve point '" + e.getKey() + "' is not a date YYYY-MM-DD");
                }
                if (!(e.getValue() instanceof Number n)) {
                    throw new IllegalArgumentException("curve point " + d + " must be a number, got '" + e.getValue() + "'");
                }
                p.put(d, check(n.doubleValue(), d.toString()));
            }
            return new Curve(p);
        }
        throw new IllegalArgumentException("a curve is a number or a mapping of dates to numbers, got '" + json + "'");
    }

    private static double check(double v, String where) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("curve value at " + where + " must be a non-negative number, got " + v);
        }
        return v;
    }

    public double on(LocalDate day) {
        Map.Entry<LocalDate, Double> before = points.floorEntry(day);
        Map.Entry<LocalDate, Double> after = points.ceilingEntry(day);
        if (before == null) {
            return after.getValue();
        }
        if (after == null || before.getKey().equals(day)) {
            return before.getValue();
        }
        double span = ChronoUnit.DAYS.between(before.getKey(), after.getKey());
        double t = ChronoUnit.DAYS.between(before.getKey(), day) / span;
        return before.getValue() + t * (after.getValue() - before.getValue());
    }

    /** This curve with every value multiplied by {@code factor}. */
    public Curve times(double factor) {
        check(factor, "factor");
        TreeMap<LocalDate, Double> p = new TreeMap<>();
        points.forEach((d, v) -> p.put(d, v * factor));
        return new Curve(p);
    }

    @JsonValue
    public Map<String, Double> toJson() {
        Map<String, Double> m = new TreeMap<>();
        points.forEach((d, v) -> m.put(d.toString(), v));
        return m;
    }
}

package io.borderflow.alert;

import io.borderflow.avro.FlowDimension;
import io.borderflow.avro.Severity;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One alert rule. Which parameters mean something depends on the {@link Type}; the others are
 * 0 (see the factories). The rule file format is documented in {@code alert-rules.yaml}.
 *
 * @param name          unique id; part of alert ids and of the alert key {@code rule|key}
 * @param type          what the rule checks
 * @param severity      severity of the alerts it raises
 * @param dimension     which dimension's windows it looks at
 * @param window        which window size it looks at ({@code silent}: always {@link WindowSize#HOUR})
 * @param keys          only these dimension keys (e.g. {@code RU}, {@code SYRYM}); empty = every key
 * @param threshold     {@code net-outflow}: raise when exits - entries &gt; threshold (&gt;= 0)
 * @param factor        {@code surge}: raise when entries &gt; factor x trailing median (&gt; 0)
 * @param history       {@code surge}: how many previous windows the median is taken over (&gt;= 1)
 * @param minEntries    {@code surge}: never raise on a window with fewer entries (&gt;= 0)
 * @param hours         {@code silent}: raise after this many hours without a crossing (&gt;= 1)
 * @param minPerHour    {@code silent}: only keys whose trailing average of entries + exits per hour
 *                      is at least this (&gt; 0)
 * @param baselineHours {@code silent}: how many hours the trailing average is taken over (&gt;= 1)
 */
public record AlertRule(String name, Type type, Severity severity, FlowDimension dimension, WindowSize window,
                        Set<String> keys, double threshold, double factor, int history, long minEntries,
                        int hours, double minPerHour, int baselineHours) {

    /** Rule names: letters, digits, '.', '_' and '-' (never '|', the key separator). */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    public static final int DEFAULT_SURGE_HISTORY = 7;
    public static final int DEFAULT_SILENT_HOURS = 6;
    public static final double DEFAULT_MIN_PER_HOUR = 5;
    public static final int DEFAULT_BASELINE_HOURS = 7 * 24;

    /** What a rule checks. The order is part of the {@code alert-state} encoding: append only. */
    public enum Type {
        /** exits - entries of a final window over a threshold. */
        NET_OUTFLOW("net-outflow"),
        /** entries of a final window over k x the trailing median of the key's previous windows. */
        SURGE("surge"),
        /** a key that normally has traffic reports none for some hours. */
        SILENT("silent");

        private final String id;

        Type(String id) {
            this.id = id;
        }

        /** As written in rule files. */
        public String id() {
            return id;
        }

        public static Type fromId(String id) {
            for (Type t : values()) {
                if (t.id.equals(id)) {
                    return t;
                }
            }
            return null;
        }
    }

    public AlertRule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(dimension, "dimension");
        Objects.requireNonNull(window, "window");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must be letters, digits, '.', '_' or '-' (at most 100), got '"
                    + name + "'");
        }
        if (keys != null) {
            for (String k : keys) {
                if (k == null || k.isBlank()) {
                    throw new IllegalArgumentException("keys must not be blank");
                }
            }
        }
        keys = keys == null ? Set.of() : Collections.unmodifiableSortedSet(new TreeSet<>(keys));
        switch (type) {
            case NET_OUTFLOW -> require(Double.isFinite(threshold) && threshold >= 0,
                    "threshold must be a number >= 0, got " + AlertEvaluator.num(threshold));
            case SURGE -> {
                require(Double.isFinite(factor) && factor > 0,
                        "factor must be a number > 0, got " + AlertEvaluator.num(factor));
                require(history >= 1 && history <= 1000, "history must be between 1 and 1000, got " + history);
                require(minEntries >= 0, "minEntries must be >= 0, got " + minEntries);
            }
            case SILENT -> {
                require(window == WindowSize.HOUR, "window must be 1h for a silent rule, got " + window);
                require(hours >= 1 && hours <= 24 * 31, "hours must be between 1 and 744, got " + hours);
                require(Double.isFinite(minPerHour) && minPerHour > 0, "minPerHour must be a number > 0, got "
                        + AlertEvaluator.num(minPerHour));
                require(baselineHours >= 1 && baselineHours <= 24 * 92,
                        "baselineHours must be between 1 and 2208, got " + baselineHours);
            }
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** {@code net-outflow}: exits - entries &gt; threshold. */
    public static AlertRule netOutflow(String name, Severity severity, FlowDimension dimension, WindowSize window,
                                       double threshold) {
        return new AlertRule(name, Type.NET_OUTFLOW, severity, dimension, window, Set.of(), threshold, 0, 0, 0,
                0, 0, 0);
    }

    /** {@code surge}: entries &gt; factor x median of the previous {@code history} windows. */
    public static AlertRule surge(String name, Severity severity, FlowDimension dimension, WindowSize window,
                                  double factor, int history, long minEntries) {
        return new AlertRule(name, Type.SURGE, severity, dimension, window, Set.of(), 0, factor, history,
                minEntries, 0, 0, 0);
    }

    /** {@code silent}: no crossing for {@code hours} hours where the trailing average was &gt;= minPerHour. */
    public static AlertRule silent(String name, Severity severity, FlowDimension dimension, int hours,
                                   double minPerHour, int baselineHours) {
        return new AlertRule(name, Type.SILENT, severity, dimension, WindowSize.HOUR, Set.of(), 0, 0, 0, 0,
                hours, minPerHour, baselineHours);
    }

    /** The same rule restricted to the given keys (empty: every key). */
    public AlertRule withKeys(Collection<String> only) {
        return new AlertRule(name, type, severity, dimension, window,
                only == null ? Set.of() : new HashSet<>(only), threshold, factor, history, minEntries, hours,
                minPerHour, baselineHours);
    }

    /** Whether this rule looks at windows of this dimension, size and key. */
    public boolean matches(FlowDimension d, WindowSize size, String key) {
        return dimension == d && window == size && (keys.isEmpty() || keys.contains(key));
    }
}

package io.borderflow.view;

import io.borderflow.avro.Alert;
import io.borderflow.avro.AlertState;
import io.borderflow.avro.FlowDimension;
import io.borderflow.avro.NetFlowWindow;
import io.borderflow.avro.PresentStock;
import io.borderflow.avro.StayState;
import io.borderflow.avro.StayStatus;
import io.borderflow.stay.StayTopology;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the built-in view shows, folded from the output topics: small aggregates only, each with a
 * fixed bound, so a replay of any length keeps this at a few hundred kilobytes.
 *
 * <p>Per-traveller output is reduced to counts. "Overstaying now" is the stay topology's
 * {@value StayTopology#ALERT_RULE} alerts raised minus resolved (one pair per overstay, whatever
 * the timing), because deriving it from {@code stay-status} would need the last status of every
 * traveller. Traveller alerts never enter the alert list: the view is served without a token, and
 * their key is a traveller id.
 *
 * <p>Thread-safe: one feed thread writes, HTTP threads read snapshots.
 */
public final class ViewModel {
    /** Two years of daily points. */
    public static final int MAX_DAYS = 731;
    /** Keys per present-stock dimension (there are a few dozen citizenships and 20 regions). */
    public static final int MAX_STOCK_KEYS = 400;
    /** Alerts kept (and served), newest first. */
    public static final int MAX_ALERTS = 100;
    /** Alert ids tracked for the "firing" count; flow alerts are few (rule x dimension key). */
    public static final int MAX_FIRING = 2000;
    private static final int STOCK_SHOWN = 12;
    private static final List<String> STOCK_DIMENSIONS = List.of("citizenship", "region");

    private final ZoneId zone;
    private final TreeMap<Long, long[]> daily = new TreeMap<>();
    private final Map<Long, Integer> dailyRevision = new HashMap<>();
    private final Map<String, Map<String, Long>> stock = new TreeMap<>();
    private final TreeMap<Long, long[]> overstaysByDay = new TreeMap<>();
    private final List<Map<String, Object>> alerts = new ArrayList<>();
    private final Set<String> firing = new LinkedHashSet<>();
    private final EnumMap<StayState, Long> statuses = new EnumMap<>(StayState.class);
    private long overstaysRaised;
    private long overstaysResolved;
    private int lastStatusDay = Integer.MIN_VALUE;
    private long eventTime = Long.MIN_VALUE;
    private long records;
    private long alertSeq;
    private long dropped;

    public ViewModel(ZoneId zone) {
        this.zone = zone;
    }

    /** A final window from {@code net-flows.v1} or a restatement from {@code net-flow-corrections.v1}. */
    public synchronized void netFlow(NetFlowWindow w) {
        records++;
        if (w.getDimension() != FlowDimension.NATIONAL || !"1d".equals(w.getWindow()) || !w.getFinal$()) {
            return;
        }
        long start = w.getWindowStart().toEpochMilli();
        Integer seen = dailyRevision.get(start);
        if (seen != null && seen > w.getRevision()) {
            return;
        }
        if (seen == null && daily.size() >= MAX_DAYS && start < daily.firstKey()) {
            dropped++;
            return;
        }
        daily.put(start, new long[] {w.getEntries(), w.getExits(), w.getNet()});
        dailyRevision.put(start, w.getRevision());
        while (daily.size() > MAX_DAYS) {
            dailyRevision.remove(daily.pollFirstEntry().getKey());
        }
        advance(w.getWindowEnd().toEpochMilli());
    }

    public synchronized void presentStock(PresentStock s) {
        records++;
        String dimension = s.getDimension().toLowerCase(Locale.ROOT);
        if (!STOCK_DIMENSIONS.contains(dimension)) {
            dropped++;
            return;
        }
        Map<String, Long> keys = stock.computeIfAbsent(dimension, d -> new HashMap<>());
        if (!keys.containsKey(s.getKey()) && keys.size() >= MAX_STOCK_KEYS) {
            dropped++;
            return;
        }
        keys.put(s.getKey(), s.getPresent());
        advance(s.getTime().toEpochMilli());
    }

    public synchronized void stayStatus(StayStatus s) {
        records++;
        statuses.merge(s.getStatus(), 1L, Long::sum);
        lastStatusDay = Math.max(lastStatusDay, (int) s.getAsOf().toEpochDay());
    }

    public synchronized void alert(Alert a) {
        records++;
        boolean raised = a.getState() == AlertState.RAISED;
        if (StayTopology.ALERT_RULE.equals(a.getRule())) {
            if (raised) {
                overstaysRaised++;
                long day = LocalDate.ofInstant(a.getStartTime(), zone).toEpochDay();
                overstaysByDay.computeIfAbsent(day, d -> new long[1])[0]++;
                while (overstaysByDay.size() > MAX_DAYS) {
                    overstaysByDay.pollFirstEntry();
                }
            } else {
                overstaysResolved++;
            }
            return;
        }
        if (raised) {
            if (firing.size() < MAX_FIRING) {
                firing.add(a.getAlertId());
            } else {
                dropped++;
            }
        } else {
            firing.remove(a.getAlertId());
        }
        Instant at = raised || a.getEndTime() == null ? a.getStartTime() : a.getEndTime();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", time(at.toEpochMilli()));
        m.put("state", a.getState().name());
        m.put("severity", a.getSeverity().name());
        m.put("rule", a.getRule());
        m.put("dimension", a.getDimension().toLowerCase(Locale.ROOT));
        m.put("key", a.getKey());
        m.put("window", a.getWindow());
        m.put("value", a.getValue());
        m.put("threshold", a.getThreshold());
        m.put("message", a.getMessage());
        m.put("epochMillis", at.toEpochMilli());
        m.put("seq", alertSeq++);
        alerts.add(m);
        // Newest event time first; among equal times, the one read last first.
        alerts.sort(Comparator.<Map<String, Object>>comparingLong(x -> (Long) x.get("epochMillis"))
                .thenComparingLong(x -> (Long) x.get("seq")).reversed());
        while (alerts.size() > MAX_ALERTS) {
            alerts.remove(alerts.size() - 1);
        }
    }

    private void advance(long epochMillis) {
        eventTime = Math.max(eventTime, epochMillis);
    }

    /** The JSON document of {@code /api/view}. */
    public synchronized Map<String, Object> snapshot() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("eventTime", eventTime == Long.MIN_VALUE ? null : time(eventTime));
        m.put("records", records);
        m.put("dropped", dropped);

        List<String> days = new ArrayList<>();
        List<Long> entries = new ArrayList<>();
        List<Long> exits = new ArrayList<>();
        List<Long> net = new ArrayList<>();
        daily.forEach((start, v) -> {
            days.add(LocalDate.ofInstant(Instant.ofEpochMilli(start), zone).toString());
            entries.add(v[0]);
            exits.add(v[1]);
            net.add(v[2]);
        });
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("days", days);
        d.put("entries", entries);
        d.put("exits", exits);
        d.put("net", net);
        m.put("daily", d);

        Map<String, Object> s = new LinkedHashMap<>();
        for (String dimension : STOCK_DIMENSIONS) {
            Map<String, Long> keys = stock.getOrDefault(dimension, Map.of());
            List<Map<String, Object>> rows = new ArrayList<>();
            keys.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .limit(STOCK_SHOWN)
                    .forEach(e -> rows.add(Map.of("key", e.getKey(), "present", e.getValue())));
            Map<String, Object> dim = new LinkedHashMap<>();
            dim.put("total", keys.values().stream().mapToLong(Long::longValue).sum());
            dim.put("keys", keys.size());
            dim.put("top", rows);
            s.put(dimension, dim);
        }
        m.put("presentStock", s);

        Map<String, Object> o = new LinkedHashMap<>();
        o.put("now", overstaysRaised - overstaysResolved);
        o.put("detected", overstaysRaised);
        o.put("ended", overstaysResolved);
        List<String> oDays = new ArrayList<>();
        List<Long> oCounts = new ArrayList<>();
        overstaysByDay.forEach((day, c) -> {
            oDays.add(LocalDate.ofEpochDay(day).toString());
            oCounts.add(c[0]);
        });
        o.put("days", oDays);
        o.put("newPerDay", oCounts);
        Map<String, Long> st = new LinkedHashMap<>();
        for (StayState state : StayState.values()) {
            st.put(state.name(), statuses.getOrDefault(state, 0L));
        }
        o.put("statuses", st);
        o.put("statusesAsOf", lastStatusDay == Integer.MIN_VALUE ? null : LocalDate.ofEpochDay(lastStatusDay).toString());
        m.put("overstays", o);

        List<Map<String, Object>> list = new ArrayList<>();
        for (Map<String, Object> a : alerts) {
            Map<String, Object> copy = new LinkedHashMap<>(a);
            copy.remove("epochMillis");
            copy.remove("seq");
            list.add(copy);
        }
        m.put("alertsFiring", firing.size());
        m.put("alerts", list);
        return m;
    }

    private String time(long epochMillis) {
        return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), zone).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }
}

package io.borderflow.alert;

import static io.borderflow.alert.Windows.day;
import static io.borderflow.alert.Windows.dayStart;
import static io.borderflow.alert.Windows.national;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.borderflow.avro.Alert;
import io.borderflow.avro.FlowDimension;
import io.borderflow.avro.NetFlowWindow;
import io.borderflow.config.BorderflowConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A synthetic nationwide daily series shaped like September-October 2022, through the default rules:
 * three normal weeks (about 13,000 entries and exits a day), arrivals up over 20 % from 21 September
 * and climbing for a week, then from 3 October more departures than arrivals by over 1,000 a day
 * until the gap closes on 10 October.
 */
class AlertScenarioTest {

    @TempDir
    Path stateDir;

    static final LocalDate START = LocalDate.of(2022, 9, 1);
    static final LocalDate END = LocalDate.of(2022, 10, 20);
    /** Entries and exits of everyone but Russian citizens. */
    static final long OTHERS = 4500;

    /** National entries, exits by local day. */
    static Map<LocalDate, long[]> nationalSeries() {
        Map<LocalDate, long[]> days = new TreeMap<>();
        Map<LocalDate, Long> surge = new TreeMap<>(Map.of(
                LocalDate.of(2022, 9, 21), 15_900L, LocalDate.of(2022, 9, 22), 17_000L,
                LocalDate.of(2022, 9, 23), 19_000L, LocalDate.of(2022, 9, 24), 21_000L,
                LocalDate.of(2022, 9, 25), 23_000L, LocalDate.of(2022, 9, 26), 25_000L,
                LocalDate.of(2022, 9, 27), 27_000L, LocalDate.of(2022, 9, 28), 30_000L,
                LocalDate.of(2022, 9, 29), 22_500L, LocalDate.of(2022, 9, 30), 16_000L));
        Map<LocalDate, long[]> outflow = new TreeMap<>(Map.of(
                LocalDate.of(2022, 10, 1), new long[] {16_000, 14_000},
                LocalDate.of(2022, 10, 2), new long[] {13_000, 13_800},   // 800 more left: under the threshold
                LocalDate.of(2022, 10, 3), new long[] {12_500, 14_000},   // 1,500: raised
                LocalDate.of(2022, 10, 4), new long[] {12_600, 14_500},
                LocalDate.of(2022, 10, 5), new long[] {12_500, 14_700},
                LocalDate.of(2022, 10, 6), new long[] {12_400, 14_100},
                LocalDate.of(2022, 10, 7), new long[] {12_500, 13_900},
                LocalDate.of(2022, 10, 8), new long[] {12_700, 13_800},
                LocalDate.of(2022, 10, 9), new long[] {12_500, 13_600},   // 1,100: still raised
                LocalDate.of(2022, 10, 10), new long[] {12_500, 13_000})); // 500: resolved
        int i = 0;
        for (LocalDate d = START; !d.isAfter(END); d = d.plusDays(1), i++) {
            long entries = 13_000 + (i * 37L) % 300 - 150;
            long exits = 13_000 + (i * 53L) % 300 - 150;
            if (d.equals(LocalDate.of(2022, 9, 3))) {
                entries = 17_500; // a spike in the first week: too little history to call it a surge
            }
            if (surge.containsKey(d)) {
                entries = surge.get(d);
            }
            if (outflow.containsKey(d)) {
                entries = outflow.get(d)[0];
                exits = outflow.get(d)[1];
            }
            days.put(d, new long[] {entries, exits});
        }
        return days;
    }

    /** Per day: Russian citizens' window, then the national one (final results of one day). */
    static List<NetFlowWindow> finals() {
        List<NetFlowWindow> windows = new ArrayList<>();
        nationalSeries().forEach((d, v) -> {
            windows.add(day(FlowDimension.CITIZENSHIP, "RU", d, v[0] - OTHERS, v[1] - OTHERS));
            windows.add(national(d, v[0], v[1]));
        });
        return windows;
    }

    static Instant local(int month, int day) {
        return dayStart(LocalDate.of(2022, month, day));
    }

    static final List<String> EXPECTED = List.of(
            "RAISED citizenship-surge-daily|RU from " + local(9, 21),
            "RAISED national-surge-daily|KZ from " + local(9, 21),
            "RESOLVED citizenship-surge-daily|RU from " + local(9, 21) + " to " + local(9, 29),
            "RESOLVED national-surge-daily|KZ from " + local(9, 21) + " to " + local(9, 29),
            "RAISED national-net-outflow-daily|KZ from " + local(10, 3),
            "RESOLVED national-net-outflow-daily|KZ from " + local(10, 3) + " to " + local(10, 10));

    static String describe(String key, Alert a) {
        return a.getState() + " " + key + " from " + a.getStartTime()
                + (a.getEndTime() == null ? "" : " to " + a.getEndTime());
    }

    @Test
    void defaultRulesOnTheTopology() {
        try (AlertTopologyTest.Harness h = new AlertTopologyTest.Harness(
                AlertTopology.build(BorderflowConfig.defaults()), stateDir)) {
            finals().forEach(h::pipe);
            List<KeyValue<String, Alert>> out = h.alerts.readKeyValuesToList();
            assertEquals(EXPECTED, out.stream().map(kv -> describe(kv.key, kv.value)).toList());

            Alert surge = out.get(1).value;
            assertEquals(15_900.0, surge.getValue());
            assertEquals("CRITICAL", surge.getSeverity().name());
            Alert outflowRaised = out.get(4).value;
            assertEquals(1500.0, outflowRaised.getValue());
            assertEquals(1000.0, outflowRaised.getThreshold());
            assertEquals(local(10, 3), outflowRaised.getWindowStart());
            assertEquals(local(10, 4), outflowRaised.getWindowEnd());
            Alert outflowResolved = out.get(5).value;
            assertEquals(outflowRaised.getAlertId(), outflowResolved.getAlertId());
            assertEquals(1100.0, outflowResolved.getValue(), "the last offending day, 9 October");
            assertEquals(local(10, 9), outflowResolved.getWindowStart());
        }
    }

    @Test
    void sameDecisionsFromTheEvaluatorAlone() {
        AlertEvaluator ev = new AlertEvaluator(AlertRules.defaults());
        List<String> out = new ArrayList<>();
        for (NetFlowWindow w : finals()) {
            for (Alert a : ev.onWindow(w)) {
                out.add(describe(AlertEvaluator.stateKey(a.getRule(), a.getKey()), a));
            }
        }
        assertEquals(EXPECTED, out);
    }
}

package io.borderflow.alert;

import static io.borderflow.alert.Windows.ALMATY;
import static io.borderflow.alert.Windows.HOUR_MS;
import static io.borderflow.alert.Windows.checkpointHour;
import static io.borderflow.alert.Windows.day;
import static io.borderflow.alert.Windows.dayStart;
import static io.borderflow.alert.Windows.national;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.avro.Alert;
import io.borderflow.avro.AlertState;
import io.borderflow.avro.FlowDimension;
import io.borderflow.avro.NetFlowWindow;
import io.borderflow.avro.Severity;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AlertEvaluatorTest {

    static final LocalDate D0 = LocalDate.of(2022, 9, 1);
    static final Instant ORIGIN = Instant.parse("2022-09-01T00:00:00Z");

    static final AlertRule NATIONAL_OUT = AlertRule.netOutflow("national-out", Severity.CRITICAL,
            FlowDimension.NATIONAL, WindowSize.DAY, 1000);
    static final AlertRule CHECKPOINT_OUT = AlertRule.netOutflow("checkpoint-out", Severity.WARNING,
            FlowDimension.CHECKPOINT, WindowSize.HOUR, 300);
    static final AlertRule NATIONAL_SURGE = AlertRule.surge("national-surge", Severity.CRITICAL,
            FlowDimension.NATIONAL, WindowSize.DAY, 1.2, 7, 0);
    static final AlertRule SILENT = AlertRule.silent("silent", Severity.WARNING, FlowDimension.CHECKPOINT, 6, 5, 168);

    static AlertEvaluator evaluator(AlertRule... rules) {
        return new AlertEvaluator(AlertRules.of(ALMATY, List.of(rules)));
    }

    static List<Alert> feed(AlertEvaluator evaluator, List<NetFlowWindow> windows) {
        List<Alert> out = new ArrayList<>();
        for (NetFlowWindow w : windows) {
            out.addAll(evaluator.onWindow(w));
        }
        return out;
    }

    // ---- net-outflow -------------------------------------------------------------------------

    @Test
    void netOutflowRaisesOnceStaysQuietWhileOffendingAndResolvesOnce() {
        AlertEvaluator ev = evaluator(NATIONAL_OUT);
        assertEquals(List.of(), ev.onWindow(national(D0, 13000, 13000)));

        List<Alert> raised = ev.onWindow(national(D0.plusDays(1), 13000, 14500));
        assertEquals(1, raised.size());
        Alert r = raised.get(0);
        assertEquals(AlertState.RAISED, r.getState());
        assertEquals("national-out", r.getRule());
        assertEquals(Severity.CRITICAL, r.getSeverity());
        assertEquals("NATIONAL", r.getDimension());
        assertEquals("KZ", r.getKey());
        assertEquals("1d", r.getWindow());
        assertEquals(1500.0, r.getValue());
        assertEquals(1000.0, r.getThreshold());
        assertEquals(dayStart(D0.plusDays(1)), r.getStartTime());
        assertNull(r.getEndTime());
        assertEquals(dayStart(D0.plusDays(1)), r.getWindowStart());
        assertEquals(dayStart(D0.plusDays(2)), r.getWindowEnd());
        assertEquals("national-out|KZ|" + dayStart(D0.plusDays(1)), r.getAlertId());
        assertTrue(r.getMessage().contains("KZ") && r.getMessage().contains("1500"), r.getMessage());

        assertEquals(List.of(), ev.onWindow(national(D0.plusDays(2), 13000, 14800)), "no storm");
        assertEquals(List.of(), ev.onWindow(national(D0.plusDays(3), 13000, 14100)), "no storm");

        List<Alert> resolved = ev.onWindow(national(D0.plusDays(4), 13000, 13500));
        assertEquals(1, resolved.size());
        Alert e = resolved.get(0);
        assertEquals(AlertState.RESOLVED, e.getState());
        assertEquals(r.getAlertId(), e.getAlertId());
        assertEquals(dayStart(D0.plusDays(1)), e.getStartTime());
        assertEquals(dayStart(D0.plusDays(4)), e.getEndTime(), "end of the last offending window");
        assertEquals(1100.0, e.getValue(), "value of the last offending window");
        assertEquals(1000.0, e.getThreshold());
        assertEquals(dayStart(D0.plusDays(3)), e.getWindowStart());
        assertEquals(dayStart(D0.plusDays(4)), e.getWindowEnd());
        assertTrue(e.getMessage().contains("3 offending"), e.getMessage());

        assertEquals(List.of(), ev.onWindow(national(D0.plusDays(5), 13000, 13000)), "resolved once");

        List<Alert> again = ev.onWindow(national(D0.plusDays(6), 12000, 13500));
        assertEquals(1, again.size());
        assertEquals(AlertState.RAISED, again.get(0).getState());
        assertEquals("national-out|KZ|" + dayStart(D0.plusDays(6)), again.get(0).getAlertId(), "a new alert");
    }

    @Test
    void thresholdIsExclusive() {
        AlertEvaluator ev = evaluator(NATIONAL_OUT);
        assertEquals(List.of(), ev.onWindow(national(D0, 13000, 14000)));
        assertEquals(1, ev.onWindow(national(D0.plusDays(1), 13000, 14001)).size());
    }

    @Test
    void hourlyAlertIsResolvedFromStreamTimeWhenTheNextHourHasNoRecord() {
        AlertEvaluator ev = evaluator(CHECKPOINT_OUT);
        List<Alert> raised = ev.onWindow(checkpointHour("SYRYM", ORIGIN, 0, 100, 500));
        assertEquals(AlertState.RAISED, raised.get(0).getState());
        assertEquals(List.of(), ev.onWindow(checkpointHour("KAIRAK", ORIGIN, 0, 50, 50)));
        // Hour 1: nothing from SYRYM. KAIRAK's hour-1 final does not yet prove SYRYM had none:
        // SYRYM's may still be on its way.
        assertEquals(List.of(), ev.onWindow(checkpointHour("KAIRAK", ORIGIN, 1, 50, 50)));
        // A final of hour 2 means hour 1 is complete: SYRYM had no crossings then.
        List<Alert> resolved = ev.onWindow(checkpointHour("KAIRAK", ORIGIN, 2, 50, 50));
        assertEquals(1, resolved.size());
        Alert e = resolved.get(0);
        assertEquals(AlertState.RESOLVED, e.getState());
        assertEquals("SYRYM", e.getKey());
        assertEquals(ORIGIN, e.getStartTime());
        assertEquals(ORIGIN.plusMillis(HOUR_MS), e.getEndTime());
        assertEquals(400.0, e.getValue());
        assertTrue(e.getMessage().contains("no crossings"), e.getMessage());

        // Late straggler for the absent hour changes nothing.
        assertEquals(List.of(), ev.onWindow(checkpointHour("SYRYM", ORIGIN, 1, 100, 600)));
        List<Alert> next = ev.onWindow(checkpointHour("SYRYM", ORIGIN, 3, 100, 500));
        assertEquals(1, next.size());
        assertEquals(AlertState.RAISED, next.get(0).getState());
        assertEquals(ORIGIN.plusMillis(3 * HOUR_MS), next.get(0).getStartTime());
    }

    @Test
    void aGapInTheKeysOwnWindowsResolvesBeforeTheNextEvaluation() {
        AlertEvaluator ev = evaluator(CHECKPOINT_OUT);
        ev.onWindow(checkpointHour("SYRYM", ORIGIN, 0, 100, 500));
        List<Alert> out = ev.onWindow(checkpointHour("SYRYM", ORIGIN, 5, 100, 450));
        assertEquals(2, out.size());
        assertEquals(AlertState.RESOLVED, out.get(0).getState());
        assertEquals(ORIGIN, out.get(0).getStartTime());
        assertEquals(ORIGIN.plusMillis(HOUR_MS), out.get(0).getEndTime());
        assertEquals(AlertState.RAISED, out.get(1).getState());
        assertEquals(ORIGIN.plusMillis(5 * HOUR_MS), out.get(1).getStartTime());
    }

    @Test
    void hourlyStreamTimeDoesNotCloseDayWindows() {
        AlertRule citizenshipOut = AlertRule.netOutflow("cit-out", Severity.WARNING, FlowDimension.CITIZENSHIP,
                WindowSize.DAY, 100);
        AlertEvaluator ev = evaluator(citizenshipOut);
        assertEquals(1, ev.onWindow(day(FlowDimension.CITIZENSHIP, "RU", D0, 1000, 1500)).size());
        ev.onWindow(day(FlowDimension.CITIZENSHIP, "KG", D0, 100, 100));
        // Hourly finals far ahead do not complete day windows: their final may come later.
        Instant d0 = dayStart(D0);
        for (int h = 0; h < 24 * 4; h++) {
            assertEquals(List.of(), ev.onWindow(checkpointHour("SYRYM", d0, h, 10, 10)));
        }
        assertEquals(List.of(), ev.onWindow(day(FlowDimension.CITIZENSHIP, "KG", D0.plusDays(1), 100, 100)));
        List<Alert> out = ev.onWindow(day(FlowDimension.CITIZENSHIP, "KG", D0.plusDays(2), 100, 100));
        assertEquals(1, out.size());
        assertEquals(AlertState.RESOLVED, out.get(0).getState());
        assertEquals("RU", out.get(0).getKey());
        assertEquals(dayStart(D0.plusDays(1)), out.get(0).getEndTime());
    }

    @Test
    void restatedAndStaleWindowsNeverRaiseOrResolve() {
        AlertEvaluator ev = evaluator(NATIONAL_OUT);
        ev.onWindow(national(D0, 13000, 13000));
        assertEquals(1, ev.onWindow(national(D0.plusDays(1), 13000, 15000)).size());
        NetFlowWindow restated = national(D0.plusDays(1), 13000, 13000);
        restated.setRevision(1);
        assertEquals(List.of(), ev.onWindow(restated));
        assertEquals(List.of(), ev.onWindow(national(D0, 10000, 15000)));
        assertEquals(List.of(), ev.onWindow(national(D0.plusDays(2), 13000, 14500)), "still the same alert");
    }

    @Test
    void nonFinalAnd7dWindowsAreIgnored() {
        AlertEvaluator ev = evaluator(NATIONAL_OUT);
        NetFlowWindow live = national(D0, 13000, 20000);
        live.setFinal$(false);
        assertEquals(List.of(), ev.onWindow(live));
        assertNull(ev.streamTime(WindowSize.DAY), "live updates do not move stream time");
        NetFlowWindow week = Windows.window(FlowDimension.NATIONAL, "KZ", "7d", dayStart(D0), dayStart(D0.plusDays(7)),
                13000, 20000);
        assertEquals(List.of(), ev.onWindow(week));
        assertEquals(List.of(), ev.onWindow(null));
    }

    // ---- surge -------------------------------------------------------------------------------

    @Test
    void surgeNeedsFullHistoryBeforeItCanFire() {
        AlertEvaluator ev = evaluator(NATIONAL_SURGE);
        List<Alert> out = new ArrayList<>();
        for (int d = 0; d < 6; d++) {
            out.addAll(ev.onWindow(national(D0.plusDays(d), 13000, 13000)));
        }
        out.addAll(ev.onWindow(national(D0.plusDays(6), 30000, 13000)));
        assertEquals(List.of(), out, "only 6 previous days: no alert");
        List<Alert> raised = ev.onWindow(national(D0.plusDays(7), 30000, 13000));
        assertEquals(1, raised.size(), "7 previous days: median 13000");
        assertEquals(AlertState.RAISED, raised.get(0).getState());
        assertEquals(30000.0, raised.get(0).getValue());
        assertEquals(1.2 * 13000, raised.get(0).getThreshold(), 1e-9);
    }

    @Test
    void surgeRaisesOnceAndResolvesOnce() {
        AlertEvaluator ev = evaluator(NATIONAL_SURGE);
        for (int d = 0; d < 7; d++) {
            assertEquals(List.of(), ev.onWindow(national(D0.plusDays(d), 13000 + d * 10, 13000)));
        }
        assertEquals(1, ev.onWindow(national(D0.plusDays(7), 16000, 13000)).size());
        assertEquals(List.of(), ev.onWindow(national(D0.plusDays(8), 17000, 13000)));
        assertEquals(List.of(), ev.onWindow(national(D0.plusDays(9), 18000, 13000)));
        List<Alert> resolved = ev.onWindow(national(D0.plusDays(10), 13100, 13000));
        assertEquals(1, resolved.size());
        Alert e = resolved.get(0);
        assertEquals(AlertState.RESOLVED, e.getState());
        assertEquals(dayStart(D0.plusDays(7)), e.getStartTime());
        assertEquals(dayStart(D0.plusDays(10)), e.getEndTime());
        assertEquals(18000.0, e.getValue());
        assertEquals(List.of(), ev.onWindow(national(D0.plusDays(11), 13000, 13000)));
    }

    @Test
    void surgeUsesTheMedianNotTheMean() {
        // One huge day in the history: the mean (22,857) would hide the surge, the median (10,000) not.
        AlertEvaluator ev = evaluator(NATIONAL_SURGE);
        for (int d = 0; d < 7; d++) {
            ev.onWindow(national(D0.plusDays(d), d == 3 ? 100_000 : 10_000, 10_000));
        }
        List<Alert> raised = ev.onWindow(national(D0.plusDays(7), 13000, 10_000));
        assertEquals(1, raised.size());
        assertEquals(12000.0, raised.get(0).getThreshold(), 1e-9);

        // One empty day (no record) in the history: the mean (8,571) would fire, the median (10,000) not.
        AlertEvaluator quiet = evaluator(NATIONAL_SURGE);
        for (int d = 0; d < 7; d++) {
            if (d != 4) {
                quiet.onWindow(national(D0.plusDays(d), 10_000, 10_000));
            }
        }
        assertEquals(List.of(), quiet.onWindow(national(D0.plusDays(7), 11_500, 10_000)));
    }

    @Test
    void surgeIgnoresWindowsBelowMinEntries() {
        AlertRule rule = AlertRule.surge("cit-surge", Severity.WARNING, FlowDimension.CITIZENSHIP, WindowSize.DAY,
                1.15, 7, 500);
        AlertEvaluator ev = evaluator(rule);
        List<Alert> out = new ArrayList<>();
        for (int d = 0; d < 7; d++) {
            out.addAll(ev.onWindow(day(FlowDimension.CITIZENSHIP, "TR", D0.plusDays(d), 100, 100)));
            out.addAll(ev.onWindow(day(FlowDimension.CITIZENSHIP, "RU", D0.plusDays(d), 8500, 8000)));
        }
        out.addAll(ev.onWindow(day(FlowDimension.CITIZENSHIP, "TR", D0.plusDays(7), 300, 100)));
        assertEquals(List.of(), out, "TR tripled but stays under minEntries");
        List<Alert> ru = ev.onWindow(day(FlowDimension.CITIZENSHIP, "RU", D0.plusDays(7), 10200, 8000));
        assertEquals(1, ru.size());
        assertEquals("RU", ru.get(0).getKey());
    }

    @Test
    void keyFilterLimitsARuleToItsKeys() {
        AlertRule onlyRu = AlertRule.surge("ru-surge", Severity.WARNING, FlowDimension.CITIZENSHIP, WindowSize.DAY,
                1.15, 7, 0).withKeys(Set.of("RU"));
        AlertRule onlySyrym = CHECKPOINT_OUT.withKeys(Set.of("SYRYM"));
        AlertEvaluator ev = evaluator(onlyRu, onlySyrym);
        List<Alert> out = new ArrayList<>();
        for (int d = 0; d < 8; d++) {
            long spike = d == 7 ? 3 : 1;
            out.addAll(ev.onWindow(day(FlowDimension.CITIZENSHIP, "RU", D0.plusDays(d), 8000 * spike, 8000)));
            out.addAll(ev.onWindow(day(FlowDimension.CITIZENSHIP, "KG", D0.plusDays(d), 3000 * spike, 3000)));
        }
        out.addAll(ev.onWindow(checkpointHour("KAIRAK", ORIGIN, 0, 0, 1000)));
        out.addAll(ev.onWindow(checkpointHour("SYRYM", ORIGIN, 0, 0, 1000)));
        assertEquals(List.of("ru-surge|RU", "checkpoint-out|SYRYM"),
                out.stream().map(a -> a.getRule() + "|" + a.getKey()).toList());
    }

    // ---- silent ------------------------------------------------------------------------------

    @Test
    void silentCheckpointIsDetectedFromStreamTimeAndResolvedWhenTrafficReturns() {
        AlertEvaluator ev = evaluator(SILENT);
        List<Alert> out = new ArrayList<>();
        for (int h = 0; h < 200; h++) {
            out.addAll(ev.onWindow(checkpointHour("SYRYM", ORIGIN, h, 5, 5)));   // 10 an hour
            out.addAll(ev.onWindow(checkpointHour("KAIRAK", ORIGIN, h, 1, 1)));  // 2 an hour: not "normal traffic"
            if (h >= 100) {
                out.addAll(ev.onWindow(checkpointHour("NEW", ORIGIN, h, 5, 5))); // only 100 h of history
            }
            out.addAll(ev.onWindow(checkpointHour("ALA", ORIGIN, h, 3, 3)));
        }
        assertEquals(List.of(), out);
        // From hour 200 only ALA reports. SYRYM is silent in hours 200..205; that is known for sure once
        // a final of hour 206 has arrived.
        for (int h = 200; h < 206; h++) {
            assertEquals(List.of(), ev.onWindow(checkpointHour("ALA", ORIGIN, h, 3, 3)), "hour " + h);
        }
        List<Alert> raised = ev.onWindow(checkpointHour("ALA", ORIGIN, 206, 3, 3));
        assertEquals(1, raised.size(), raised.toString());
        Alert r = raised.get(0);
        assertEquals(AlertState.RAISED, r.getState());
        assertEquals("SYRYM", r.getKey());
        assertEquals("CHECKPOINT", r.getDimension());
        assertEquals("1h", r.getWindow());
        assertEquals(ORIGIN.plusMillis(200 * HOUR_MS), r.getStartTime(), "start of the first silent hour");
        assertEquals(ORIGIN.plusMillis(200 * HOUR_MS), r.getWindowStart());
        assertEquals(ORIGIN.plusMillis(206 * HOUR_MS), r.getWindowEnd());
        assertEquals(6.0, r.getValue());
        assertEquals(6.0, r.getThreshold());
        assertTrue(r.getMessage().contains("10 per hour"), r.getMessage());

        for (int h = 207; h < 212; h++) {
            assertEquals(List.of(), ev.onWindow(checkpointHour("ALA", ORIGIN, h, 3, 3)), "no storm, hour " + h);
        }
        List<Alert> resolved = ev.onWindow(checkpointHour("SYRYM", ORIGIN, 212, 2, 0));
        assertEquals(1, resolved.size());
        Alert e = resolved.get(0);
        assertEquals(AlertState.RESOLVED, e.getState());
        assertEquals(r.getAlertId(), e.getAlertId());
        assertEquals(ORIGIN.plusMillis(200 * HOUR_MS), e.getStartTime());
        assertEquals(ORIGIN.plusMillis(212 * HOUR_MS), e.getEndTime(), "end of the last silent hour");
        assertEquals(12.0, e.getValue(), "hours without crossings");
        assertEquals(List.of(), ev.onWindow(checkpointHour("SYRYM", ORIGIN, 213, 2, 0)));
        assertEquals(List.of(), ev.onWindow(checkpointHour("ALA", ORIGIN, 213, 3, 3)));
    }

    @Test
    void silentFromAnExplicitStreamTimeAdvance() {
        AlertEvaluator ev = evaluator(SILENT);
        for (int h = 0; h < 168; h++) {
            ev.onWindow(checkpointHour("SYRYM", ORIGIN, h, 5, 0));
        }
        assertEquals(List.of(), ev.advanceStreamTime(ORIGIN.plusMillis(174 * HOUR_MS)));
        List<Alert> raised = ev.advanceStreamTime(ORIGIN.plusMillis(175 * HOUR_MS));
        assertEquals(1, raised.size());
        assertEquals(ORIGIN.plusMillis(168 * HOUR_MS), raised.get(0).getStartTime());
        assertEquals(List.of(), ev.advanceStreamTime(ORIGIN.plusMillis(300 * HOUR_MS)));
        assertEquals(List.of(), ev.advanceStreamTime(ORIGIN), "stream time never goes back");
    }

    @Test
    void silentNeedsNormalTrafficOverTheWholeBaseline() {
        AlertRule rule = AlertRule.silent("silent", Severity.WARNING, FlowDimension.CHECKPOINT, 6, 5, 24);
        // 24 h baseline, crossings every other hour: 8 each is 4 an hour on average, under 5; 12 each is 6.
        for (long perActiveHour : new long[] {8, 12}) {
            AlertEvaluator ev = evaluator(rule);
            for (int h = 0; h <= 24; h++) {
                ev.onWindow(checkpointHour("AUL", ORIGIN, h, h % 2 == 0 ? perActiveHour : 0, 0));
            }
            List<Alert> out = ev.advanceStreamTime(ORIGIN.plusMillis(100 * HOUR_MS));
            assertEquals(perActiveHour == 8 ? 0 : 1, out.size(), perActiveHour + " every other hour: " + out);
        }
        // The same traffic seen for less than the baseline: no alert.
        AlertEvaluator young = evaluator(rule);
        for (int h = 2; h <= 24; h++) {
            young.onWindow(checkpointHour("AUL", ORIGIN, h, 20, 20));
        }
        assertEquals(List.of(), young.advanceStreamTime(ORIGIN.plusMillis(100 * HOUR_MS)));
    }

    // ---- persistence -------------------------------------------------------------------------

    /** A mixed stream through the default rules, as the Kafka processor would see it. */
    static List<NetFlowWindow> mixedStream() {
        List<NetFlowWindow> windows = new ArrayList<>();
        Instant d0 = dayStart(D0);
        for (int d = 0; d < 14; d++) {
            long dayEntries = 0;
            long dayExits = 0;
            for (int h = 0; h < 24; h++) {
                int hour = d * 24 + h;
                boolean syrymSilent = hour >= 200 && hour < 215;
                boolean outflowHour = hour == 180 || hour == 181 || hour == 250;
                if (!syrymSilent) {
                    long exits = outflowHour ? 400 : 20;
                    windows.add(checkpointHour("SYRYM", d0, hour, 20, exits));
                    dayEntries += 20;
                    dayExits += exits;
                }
                windows.add(checkpointHour("ALA", d0, hour, 30, 30));
                dayEntries += 30;
                dayExits += 30;
            }
            long surge = d == 9 || d == 10 ? 4000 : 0;
            windows.add(national(D0.plusDays(d), 13000 + dayEntries + surge, 13000 + dayExits + (d == 12 ? 1500 : 0)));
        }
        return windows;
    }

    @Test
    void stateSurvivesRestartsAtAnyPoint() {
        List<NetFlowWindow> windows = mixedStream();
        List<Alert> uninterrupted = feed(new AlertEvaluator(AlertRules.defaults()), windows);
        assertEquals(List.of(
                        "RAISED checkpoint-net-outflow-hourly SYRYM", "RESOLVED checkpoint-net-outflow-hourly SYRYM",
                        "RAISED checkpoint-silent SYRYM", "RESOLVED checkpoint-silent SYRYM",
                        "RAISED national-surge-daily KZ",
                        "RAISED checkpoint-net-outflow-hourly SYRYM", "RESOLVED checkpoint-net-outflow-hourly SYRYM",
                        "RESOLVED national-surge-daily KZ",
                        "RAISED national-net-outflow-daily KZ", "RESOLVED national-net-outflow-daily KZ"),
                uninterrupted.stream().map(a -> a.getState() + " " + a.getRule() + " " + a.getKey()).toList());

        for (int every : new int[] {1, 7, 50, 201}) {
            AlertEvaluator.StateStore store = AlertEvaluator.memoryStore();
            List<Alert> restarted = new ArrayList<>();
            AlertEvaluator ev = null;
            for (int i = 0; i < windows.size(); i++) {
                if (i % every == 0) {
                    ev = new AlertEvaluator(AlertRules.defaults(), store);
                }
                restarted.addAll(ev.onWindow(windows.get(i)));
            }
            assertEquals(uninterrupted, restarted, "restart every " + every + " windows");
        }
    }

    @Test
    void stateOfARuleRedefinedWithAnotherTypeStartsAfresh() {
        AlertEvaluator.StateStore store = AlertEvaluator.memoryStore();
        AlertEvaluator first = new AlertEvaluator(AlertRules.of(ALMATY, List.of(NATIONAL_OUT)), store);
        assertEquals(1, first.onWindow(national(D0, 13000, 15000)).size());
        AlertRule sameNameSurge = AlertRule.surge("national-out", Severity.INFO, FlowDimension.NATIONAL,
                WindowSize.DAY, 1.2, 7, 0);
        AlertEvaluator second = new AlertEvaluator(AlertRules.of(ALMATY, List.of(sameNameSurge)), store);
        assertNull(store.get("national-out|KZ"));
        assertEquals(List.of(), second.onWindow(national(D0.plusDays(1), 13000, 13000)));
        assertEquals(dayStart(D0.plusDays(2)), second.streamTime(WindowSize.DAY));
    }
}

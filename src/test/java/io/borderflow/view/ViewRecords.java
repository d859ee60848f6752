package io.borderflow.view;

import io.borderflow.avro.Alert;
import io.borderflow.avro.AlertState;
import io.borderflow.avro.FlowDimension;
import io.borderflow.avro.NetFlowWindow;
import io.borderflow.avro.PresentStock;
import io.borderflow.avro.Severity;
import io.borderflow.avro.StayState;
import io.borderflow.avro.StayStatus;
import io.borderflow.stay.StayTopology;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;

/** Output records as the topologies write them, for the view's tests. */
final class ViewRecords {
    static final ZoneId ALMATY = ZoneId.of("Asia/Almaty");

    private ViewRecords() {
    }

    static Instant midnight(LocalDate day) {
        return day.atStartOfDay(ALMATY).toInstant();
    }

    static NetFlowWindow day(FlowDimension dimension, String key, LocalDate day, long entries, long exits, int revision) {
        return new NetFlowWindow(dimension, key, "1d", midnight(day), midnight(day.plusDays(1)), entries, exits,
                entries - exits, true, revision);
    }

    static NetFlowWindow national(LocalDate day, long entries, long exits) {
        return day(FlowDimension.NATIONAL, "KZ", day, entries, exits, 0);
    }

    static PresentStock stock(String dimension, String key, long present, Instant time) {
        return new PresentStock(dimension, key, present, time);
    }

    static Alert flowAlert(String rule, String key, AlertState state, Instant start, Instant end, double value) {
        return new Alert(rule + "|national|" + key + "|" + start, rule, Severity.CRITICAL, state, "NATIONAL", key, "1d",
                start, start.plusSeconds(86_400), value, 20_000.0, start, end, rule + " " + key + " " + state);
    }

    static Alert overstay(String traveller, AlertState state, Instant start, Instant end) {
        return new Alert(StayTopology.ALERT_RULE + "|" + traveller + "|" + start, StayTopology.ALERT_RULE,
                Severity.WARNING, state, StayTopology.ALERT_DIMENSION, traveller, null, null, null, 3.0, 0.0, start, end,
                "overstay of " + traveller);
    }

    static StayStatus status(String traveller, StayState state, LocalDate asOf) {
        return new StayStatus(traveller, state, "kz-eaeu-2023", asOf, 80, 10, state == StayState.OVERSTAY ? 2 : 0,
                asOf.plusDays(10), midnight(asOf));
    }
}

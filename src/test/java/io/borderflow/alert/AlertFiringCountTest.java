package io.borderflow.alert;

import static io.borderflow.alert.Windows.ALMATY;
import static io.borderflow.alert.Windows.checkpointHour;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.borderflow.avro.FlowDimension;
import io.borderflow.avro.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The firing count behind border_alerts_firing, read from the saved states (so it survives a restart). */
class AlertFiringCountTest {
    @Test
    void countsRaisedUnresolvedAlertsPerRuleFromTheStore() {
        AlertRules rules = AlertRules.of(ALMATY, List.of(
                AlertRule.netOutflow("outflow", Severity.WARNING, FlowDimension.CHECKPOINT, WindowSize.HOUR, 0),
                AlertRule.netOutflow("big-outflow", Severity.CRITICAL, FlowDimension.CHECKPOINT, WindowSize.HOUR, 100)));
        AlertEvaluator.StateStore store = AlertEvaluator.memoryStore();
        AlertEvaluator evaluator = new AlertEvaluator(rules, store);
        Instant origin = Instant.parse("2022-10-03T00:00:00Z");
        assertEquals(Map.of("outflow", 0L, "big-outflow", 0L), evaluator.firingByRule());
        evaluator.onWindow(checkpointHour("SYRYM", origin, 0, 1, 5));
        evaluator.onWindow(checkpointHour("KAIRAK", origin, 0, 1, 3));
        assertEquals(Map.of("outflow", 2L, "big-outflow", 0L), evaluator.firingByRule());
        assertEquals(Map.of("outflow", 2L, "big-outflow", 0L), new AlertEvaluator(rules, store).firingByRule(),
                "a new evaluator over the same store, as after a restart");
        evaluator.onWindow(checkpointHour("SYRYM", origin, 1, 5, 1));
        assertEquals(Map.of("outflow", 1L, "big-outflow", 0L), evaluator.firingByRule());
    }
}

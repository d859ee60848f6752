package io.borderflow.alert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RuleStateTest {

    static RuleState roundTrip(RuleState s) {
        byte[] bytes = s.encode();
        RuleState back = RuleState.decode(bytes, s.type);
        assertEquals(s, back, s.toString());
        assertArrayEquals(bytes, back.encode(), "encoding is deterministic");
        return back;
    }

    @Test
    void emptyStateOfEveryType() {
        for (AlertRule.Type type : AlertRule.Type.values()) {
            RuleState s = new RuleState(type);
            assertEquals(4, s.encode().length, "version, type, flags, empty history");
            roundTrip(s);
        }
    }

    @Test
    void quietStateWithHistory() {
        RuleState s = new RuleState(AlertRule.Type.SURGE);
        s.firstSlot = 19_236L;          // 2022-09-01 as an epoch day
        s.lastSlot = 19_250L;
        for (long d = 19_244; d <= 19_250; d++) {
            s.history.put(d, 13_000 + d % 5);
        }
        RuleState back = roundTrip(s);
        assertEquals(7, back.history.size());
        assertTrue(s.encode().length <= 48, "compact: " + s.encode().length + " bytes");
    }

    @Test
    void activeAlertWithFractionalValues() {
        RuleState s = new RuleState(AlertRule.Type.NET_OUTFLOW);
        s.firstSlot = 461_000L;
        s.lastSlot = 461_700L;
        s.raise(1_661_990_400_000L, 1_661_990_400_000L, 1_661_994_000_000L, 1500, 1000);
        s.offend(1_661_994_000_000L, 1_661_997_600_000L, 1234.5, 1000.25);
        assertEquals(2, s.offendingWindows);
        RuleState back = roundTrip(s);
        assertTrue(back.active);
        assertEquals(1_661_990_400_000L, back.alertStart);
        assertEquals(1_661_997_600_000L, back.lastOffendingEnd);
        assertEquals(1234.5, back.lastValue);
        assertEquals(1000.25, back.lastThreshold);
    }

    @Test
    void silentStateWithAWeekOfHours() {
        RuleState s = new RuleState(AlertRule.Type.SILENT);
        s.firstSlot = 400_000L;
        s.lastSlot = 400_500L;
        for (long h = 400_333; h <= 400_500; h++) {
            s.history.put(h, 40 + h % 17);
        }
        s.raise(1_441_801_800_000L, 1_441_801_800_000L, 1_441_823_400_000L, 6, 6);
        roundTrip(s);
        assertTrue(s.encode().length < 3 * 168 + 60, "about 2 bytes an hour: " + s.encode().length);
    }

    @Test
    void extremeAndNegativeNumbers() {
        RuleState s = new RuleState(AlertRule.Type.NET_OUTFLOW);
        s.firstSlot = Long.MIN_VALUE;
        s.lastSlot = Long.MAX_VALUE;
        s.raise(-1L, Long.MIN_VALUE, Long.MAX_VALUE, -0.0, Double.MAX_VALUE);
        s.history.put(-5L, -7L);
        s.history.put(0L, Long.MAX_VALUE);
        s.history.put(3L, Long.MIN_VALUE);
        roundTrip(s);
    }

    @Test
    void stateOfAnotherRuleTypeDecodesToNull() {
        RuleState s = new RuleState(AlertRule.Type.SILENT);
        s.lastSlot = 5L;
        assertNull(RuleState.decode(s.encode(), AlertRule.Type.SURGE));
        assertEquals(s, RuleState.decode(s.encode(), null));
    }

    @Test
    void badBytesAreRefusedWithAReason() {
        RuleState s = new RuleState(AlertRule.Type.SURGE);
        s.lastSlot = 19_250L;
        s.history.put(19_250L, 13_000L);
        byte[] good = s.encode();

        byte[] version = good.clone();
        version[0] = 9;
        assertEquals("alert state: unknown encoding version 9",
                assertThrows(IllegalArgumentException.class, () -> RuleState.decode(version, null)).getMessage());
        byte[] type = good.clone();
        type[1] = 42;
        assertThrows(IllegalArgumentException.class, () -> RuleState.decode(type, null));
        for (int cut : List.of(0, 1, 2, 3, good.length - 1)) {
            byte[] truncated = Arrays.copyOf(good, cut);
            assertThrows(IllegalArgumentException.class, () -> RuleState.decode(truncated, null), "cut " + cut);
        }
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertThrows(IllegalArgumentException.class, () -> RuleState.decode(trailing, null));
    }
}

package io.borderflow.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PacerTest {
    @Test
    void parsesMaxAndPositiveSpeeds() {
        assertTrue(Pacer.parse("max").unlimited());
        assertTrue(Pacer.parse("MAX").unlimited());
        assertEquals("3600x", Pacer.parse("3600").toString());
        for (String bad : new String[] {"0", "-5", "fast", "NaN", "Infinity"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pacer.parse(bad));
            assertTrue(e.getMessage().startsWith("--speed"), e.getMessage());
        }
    }

    @Test
    void holdsEventsBackToTheirEventTimeScaledBySpeed() throws InterruptedException {
        // 2 s of event time at 10x is at least 200 ms of wall time (sleep never returns early).
        Pacer pacer = Pacer.parse("10");
        long start = System.nanoTime();
        pacer.await(1_000_000L);
        pacer.await(1_001_000L);
        pacer.await(1_002_000L);
        assertTrue(System.nanoTime() - start >= 195_000_000L);
    }
}

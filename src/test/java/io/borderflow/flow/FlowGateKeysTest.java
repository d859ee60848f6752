package io.borderflow.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class FlowGateKeysTest {
    @Test
    void aPartialKeyExpandsToTheFourDimensionKeys() {
        assertArrayEquals(new String[] {"CHECKPOINT:SYRYM", "REGION:West Kazakhstan", "CITIZENSHIP:RU", "NATIONAL:KZ"},
                FlowGate.keys(FlowGate.partialKey("SYRYM", "West Kazakhstan", "RU")));
    }

    @Test
    void codesHoldingTheSeparatorOrDigitsStayApart() {
        assertArrayEquals(new String[] {"CHECKPOINT:12\u00003", "REGION:a\u0000b", "CITIZENSHIP:kz", "NATIONAL:KZ"},
                FlowGate.keys(FlowGate.partialKey("12\u00003", "a\u0000b", "kz")));
        assertArrayEquals(new String[] {"CHECKPOINT:", "REGION:", "CITIZENSHIP:RU", "NATIONAL:KZ"},
                FlowGate.keys(FlowGate.partialKey("", "", "RU")));
    }

    @Test
    void aKeyWrittenByAnEarlierVersionIsADimensionKeyAlready() {
        assertArrayEquals(new String[] {"REGION:Almaty"}, FlowGate.keys("REGION:Almaty"));
        assertArrayEquals(new String[] {"CHECKPOINT:a\u0000b\u0000c"}, FlowGate.keys("CHECKPOINT:a\u0000b\u0000c"));
    }
}

package io.borderflow.alert;

import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What one rule remembers about one key between windows: the windows seen, the alert in progress
 * and the trailing counts its baseline needs. Kept in the {@code alert-state} store as
 * {@link #encode() bytes}.
 *
 * <p>Encoding, version 1 (all integers zig-zag varints, doubles 8 bytes big-endian):
 * <pre>
 *   byte    version (1)
 *   byte    rule type (0 net-outflow, 1 surge, 2 silent)
 *   byte    flags: 1 active, 2 has lastSlot, 4 has firstSlot
 *   varlong lastSlot                  if flag 2
 *   varlong firstSlot                 if flag 4
 *   if active:
 *     varlong alertStart, lastOffendingStart, lastOffendingEnd (epoch ms)
 *     double  lastValue, lastThreshold
 *     varint  offendingWindows
 *   varint  history size n, then n x (varlong slot delta from the previous slot (first: absolute), varlong count)
 * </pre>
 * A state of another rule type (the rule was redefined under the same name) decodes to null, and the
 * evaluator starts that key afresh.
 */
final class RuleState {
    static final byte VERSION = 1;

    private static final int ACTIVE = 1;
    private static final int HAS_LAST = 2;
    private static final int HAS_FIRST = 4;

    /** Rule type this state belongs to. */
    final AlertRule.Type type;

    /**
     * Window rules: the latest slot evaluated (windows at or before it only restate history).
     * Silent rules: the latest slot with traffic.
     */
    Long lastSlot;
    /** The first slot seen for the key: how far back the history reaches. */
    Long firstSlot;

    boolean active;
    /** Event-time start of the alert in progress (epoch ms). */
    long alertStart;
    long lastOffendingStart;
    long lastOffendingEnd;
    double lastValue;
    double lastThreshold;
    int offendingWindows;

    /** Surge: entries per slot of the trailing windows. Silent: entries + exits per slot. */
    final NavigableMap<Long, Long> history = new TreeMap<>();

    RuleState(AlertRule.Type type) {
        this.type = Objects.requireNonNull(type, "type");
    }

    void raise(long start, long windowStart, long windowEnd, double value, double threshold) {
        active = true;
        alertStart = start;
        offendingWindows = 0;
        offend(windowStart, windowEnd, value, threshold);
    }

    void offend(long windowStart, long windowEnd, double value, double threshold) {
        lastOffendingStart = windowStart;
        lastOffendingEnd = windowEnd;
        lastValue = value;
        lastThreshold = threshold;
        offendingWindows++;
    }

    void clearAlert() {
        active = false;
        alertStart = 0;
        lastOffendingStart = 0;
        lastOffendingEnd = 0;
        lastValue = 0;
        lastThreshold = 0;
        offendingWindows = 0;
    }

    /** Drops history slots before {@code from}. */
    void pruneBefore(long from) {
        history.headMap(from, false).clear();
    }

    byte[] encode() {
        Out out = new Out();
        out.write(VERSION);
        out.write(type.ordinal());
        int flags = (active ? ACTIVE : 0) | (lastSlot != null ? HAS_LAST : 0) | (firstSlot != null ? HAS_FIRST : 0);
        out.write(flags);
        if (lastSlot != null) {
            out.varlong(lastSlot);
        }
        if (firstSlot != null) {
            out.varlong(firstSlot);
        }
        if (active) {
            out.varlong(alertStart);
            out.varlong(lastOffendingStart);
            out.varlong(lastOffendingEnd);
            out.doubleValue(lastValue);
            out.doubleValue(lastThreshold);
            out.varlong(offendingWindows);
        }
        out.varlong(history.size());
        long previous = 0;
        for (Map.Entry<Long, Long> e : history.entrySet()) {
            out.varlong(e.getKey() - previous);
            out.varlong(e.getValue());
            previous = e.getKey();
        }
        return out.toByteArray();
    }

    /**
     * Decodes {@link #encode()}; null when the bytes belong to a rule of another type.
     *
     * @throws IllegalArgumentException for bytes this version cannot read
     */
    static RuleState decode(byte[] bytes, AlertRule.Type expected) {
        In in = new In(bytes);
        int version = in.readByte();
        if (version != VERSION) {
            throw new IllegalArgumentException("alert state: unknown encoding version " + version);
        }
        int typeOrdinal = in.readByte();
        if (typeOrdinal < 0 || typeOrdinal >= AlertRule.Type.values().length) {
            throw new IllegalArgumentException("alert state: unknown rule type " + typeOrdinal);
        }
        AlertRule.Type type = AlertRule.Type.values()[typeOrdinal];
        if (expected != null && type != expected) {
            return null;
        }
        RuleState s = new RuleState(type);
        int flags = in.readByte();
        if ((flags & HAS_LAST) != 0) {
            s.lastSlot = in.varlong();
        }
        if ((flags & HAS_FIRST) != 0) {
            s.firstSlot = in.varlong();
        }
        if ((flags & ACTIVE) != 0) {
            s.active = true;
            s.alertStart = in.varlong();
            s.lastOffendingStart = in.varlong();
            s.lastOffendingEnd = in.varlong();
            s.lastValue = in.doubleValue();
            s.lastThreshold = in.doubleValue();
            s.offendingWindows = (int) in.varlong();
        }
        long n = in.varlong();
        if (n < 0 || n > bytes.length) {
            throw new IllegalArgumentException("alert state: bad history size " + n);
        }
        long slot = 0;
        for (long i = 0; i < n; i++) {
            slot += in.varlong();
            s.history.put(slot, in.varlong());
        }
        if (in.remaining() != 0) {
            throw new IllegalArgumentException("alert state: " + in.remaining() + " trailing bytes");
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RuleState s && type == s.type && Objects.equals(lastSlot, s.lastSlot)
                && Objects.equals(firstSlot, s.firstSlot) && active == s.active && alertStart == s.alertStart
                && lastOffendingStart == s.lastOffendingStart && lastOffendingEnd == s.lastOffendingEnd
                && Double.compare(lastValue, s.lastValue) == 0 && Double.compare(lastThreshold, s.lastThreshold) == 0
                && offendingWindows == s.offendingWindows && history.equals(s.history);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, lastSlot, firstSlot, active, alertStart, history);
    }

    @Override
    public String toString() {
        return "RuleState{" + type + ", lastSlot=" + lastSlot + ", firstSlot=" + firstSlot + ", active=" + active
                + (active ? ", alertStart=" + alertStart + ", lastOffending=[" + lastOffendingStart + ","
                + lastOffendingEnd + "), lastValue=" + lastValue + ", lastThreshold=" + lastThreshold
                + ", offendingWindows=" + offendingWindows : "") + ", history=" + history + "}";
    }

    // ---- varint codec ------------------------------------------------------------------------

    static final class Out extends ByteArrayOutputStream {
        Out() {
            super(32);
        }

        void varlong(long v) {
            long z = (v << 1) ^ (v >> 63);
            while ((z & ~0x7FL) != 0) {
                write((int) ((z & 0x7F) | 0x80));
                z >>>= 7;
            }
            write((int) z);
        }

        void doubleValue(double d) {
            long bits = Double.doubleToLongBits(d);
            for (int shift = 56; shift >= 0; shift -= 8) {
                write((int) (bits >>> shift) & 0xFF);
            }
        }
    }

    static final class In {
        private final byte[] bytes;
        private int pos;

        In(byte[] bytes) {
            this.bytes = Objects.requireNonNull(bytes, "bytes");
        }

        int remaining() {
            return bytes.length - pos;
        }

        int readByte() {
            if (pos >= bytes.length) {
                throw new IllegalArgumentException("alert state: truncated");
            }
            return bytes[pos++];
        }

        long varlong() {
            long z = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = readByte();
                z |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return (z >>> 1) ^ -(z & 1);
                }
            }
            throw new IllegalArgumentException("alert state: varint too long");
        }

        double doubleValue() {
            long bits = 0;
            for (int i = 0; i < 8; i++) {
                bits = (bits << 8) | (readByte() & 0xFF);
            }
            return Double.longBitsToDouble(bits);
        }
    }
}

package io.borderflow.flow;

import java.nio.ByteBuffer;

/** Two counters (entries and exits, or a count and 0) and how often the final result was restated. */
record WindowCounts(long first, long second, int revision) {
    static final WindowCounts ZERO = new WindowCounts(0, 0, 0);

    WindowCounts add(int counter) {
        return counter == 0 ? new WindowCounts(first + 1, second, revision) : new WindowCounts(first, second + 1, revision);
    }

    WindowCounts plus(WindowCounts o) {
        return new WindowCounts(first + o.first, second + o.second, Math.max(revision, o.revision));
    }

    WindowCounts revised() {
        return new WindowCounts(first, second, revision + 1);
    }

    byte[] bytes() {
        return ByteBuffer.allocate(20).putLong(first).putLong(second).putInt(revision).array();
    }

    static WindowCounts of(byte[] b) {
        if (b == null) {
            return null;
        }
        ByteBuffer buf = ByteBuffer.wrap(b);
        return new WindowCounts(buf.getLong(), buf.getLong(), buf.getInt());
    }
}

package io.borderflow.replay;

/**
 * Holds a replay to a pace: {@code speed} event-time seconds per wall-clock second, or no pacing
 * at all ({@link #MAX}). The first event anchors event time to the wall clock.
 */
public final class Pacer {
    public static final Pacer MAX = new Pacer(0);

    private final double speed;
    private long firstEventMs = Long.MIN_VALUE;
    private long startNanos;

    private Pacer(double speed) {
        this.speed = speed;
    }

    /** {@code max}, or a positive number of event-time seconds per wall second (3600 = an hour a second). */
    public static Pacer parse(String text) {
        if (text == null || text.equalsIgnoreCase("max")) {
            return MAX;
        }
        double s;
        try {
            s = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--speed must be 'max' or a positive number, got '" + text + "'");
        }
        if (!(s > 0) || Double.isInfinite(s)) {
            throw new IllegalArgumentException("--speed must be 'max' or a positive number, got '" + text + "'");
        }
        return new Pacer(s);
    }

    public boolean unlimited() {
        return speed == 0;
    }

    /** Blocks until the event's moment has come; returns at once in max mode or when behind. */
    public void await(long eventTimeMs) throws InterruptedException {
        if (speed == 0) {
            return;
        }
        if (firstEventMs == Long.MIN_VALUE) {
            firstEventMs = eventTimeMs;
            startNanos = System.nanoTime();
            return;
        }
        long dueNanos = startNanos + (long) ((eventTimeMs - firstEventMs) * 1_000_000.0 / speed);
        long wait = dueNanos - System.nanoTime();
        if (wait > 1_000_000) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }

    @Override
    public String toString() {
        return speed == 0 ? "max" : (speed == Math.rint(speed) ? Long.toString((long) speed) : Double.toString(speed)) + "x";
    }
}

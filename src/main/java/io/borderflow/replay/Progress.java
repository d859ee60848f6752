package io.borderflow.replay;

import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Locale;

/**
 * Shows how far a replay has got: a bar that redraws itself on a terminal, plain lines every
 * few seconds otherwise (logs, CI), and nothing when quiet.
 */
public final class Progress {
    private static final int BAR_WIDTH = 30;

    private final PrintStream out;
    private final boolean terminal;
    private final boolean quiet;
    private final ZoneId zone;
    private final long fromMs;
    private final long toMs;
    private final long intervalNanos;
    private final long startNanos = System.nanoTime();
    private long lastNanos = startNanos;
    private long lastCount;
    private long count;
    private long eventTimeMs;

    /**
     * @param from, to the event-time span expected (for the bar); null when unknown (user files)
     */
    public Progress(PrintStream out, boolean terminal, boolean quiet, ZoneId zone, LocalDate from, LocalDate to) {
        this.out = out;
        this.terminal = terminal;
        this.quiet = quiet;
        this.zone = zone;
        this.fromMs = from == null ? -1 : from.atStartOfDay(zone).toInstant().toEpochMilli();
        this.toMs = to == null ? -1 : to.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
        this.intervalNanos = terminal ? 200_000_000L : 5_000_000_000L;
    }

    /** A terminal is one a person watches: a console with no output redirection. */
    public static boolean onTerminal() {
        return System.console() != null && System.getenv("CI") == null;
    }

    public void update(long eventTimeMs) {
        count++;
        this.eventTimeMs = eventTimeMs;
        if ((count & 1023) != 0 || quiet) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastNanos >= intervalNanos) {
            double rate = (count - lastCount) / ((now - lastNanos) / 1e9);
            lastNanos = now;
            lastCount = count;
            print(rate);
        }
    }

    private void print(double rate) {
        String day = Instant.ofEpochMilli(eventTimeMs).atZone(zone).toLocalDate().toString();
        String line;
        if (fromMs >= 0 && toMs > fromMs) {
            double done = Math.max(0, Math.min(1, (double) (eventTimeMs - fromMs) / (toMs - fromMs)));
            int filled = (int) Math.round(done * BAR_WIDTH);
            line = String.format(Locale.ROOT, "[%s%s] %3.0f%%  %s  %,d events  %,.0f events/s",
                    "#".repeat(filled), ".".repeat(BAR_WIDTH - filled), 100 * done, day, count, rate);
        } else {
            line = String.format(Locale.ROOT, "%s  %,d events  %,.0f events/s", day, count, rate);
        }
        if (terminal) {
            out.print("\r" + line + "   ");
        } else {
            out.println(line);
        }
        out.flush();
    }

    /** Clears the bar so the next line starts clean. */
    public void finish() {
        if (terminal && !quiet && count >= 1024) {
            out.print("\r" + " ".repeat(100) + "\r");
            out.flush();
        }
    }

    public long count() {
        return count;
    }

    public double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}

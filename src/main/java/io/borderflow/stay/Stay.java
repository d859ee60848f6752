package io.borderflow.stay;

import java.time.LocalDate;
import java.util.Objects;

/**
 * One stay in the country: the local date of the entry crossing and of the exit crossing, both days of
 * presence. {@code exit == null} is a stay still going on (no exit recorded). A same-day entry and exit is a
 * one-day stay.
 */
public record Stay(LocalDate entry, LocalDate exit) {
    public Stay {
        Objects.requireNonNull(entry, "entry");
        Dates.check(entry, "stay entry");
        if (exit != null) {
            Dates.check(exit, "stay exit");
            if (exit.isBefore(entry)) {
                throw new IllegalArgumentException("stay " + entry + "/" + exit + " ends (" + exit
                        + ") before it starts (" + entry + ")");
            }
        }
    }

    /** A stay still going on. */
    public static Stay open(LocalDate entry) {
        return new Stay(entry, null);
    }

    public boolean isOpen() {
        return exit == null;
    }

    /** Whether the traveller was in the country on that date according to this stay. */
    public boolean covers(LocalDate date) {
        return !date.isBefore(entry) && (exit == null || !date.isAfter(exit));
    }

    @Override
    public String toString() {
        return entry + "/" + (exit == null ? "" : exit.toString());
    }
}

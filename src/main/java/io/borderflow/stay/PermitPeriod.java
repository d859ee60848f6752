package io.borderflow.stay;

import java.time.LocalDate;
import java.util.Objects;

/**
 * A period under a residence permit (or another document that takes the holder out of the visa-free
 * limits): {@code from} to {@code to}, both inclusive; {@code to == null} is open-ended. Days of presence
 * inside it do not count towards any limit.
 */
public record PermitPeriod(LocalDate from, LocalDate to) {
    public PermitPeriod {
        Objects.requireNonNull(from, "from");
        Dates.check(from, "permit start");
        if (to != null) {
            Dates.check(to, "permit end");
            if (to.isBefore(from)) {
                throw new IllegalArgumentException("permit " + from + "/" + to + " ends (" + to
                        + ") before it starts (" + from + ")");
            }
        }
    }

    /** An open-ended permit. */
    public static PermitPeriod from(LocalDate from) {
        return new PermitPeriod(from, null);
    }

    public boolean isOpen() {
        return to == null;
    }

    /** Whether the permit is valid on that date. */
    public boolean covers(LocalDate date) {
        return !date.isBefore(from) && (to == null || !date.isAfter(to));
    }

    @Override
    public String toString() {
        return from + "/" + (to == null ? "" : to.toString());
    }
}

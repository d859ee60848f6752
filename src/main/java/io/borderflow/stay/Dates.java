package io.borderflow.stay;

import java.time.LocalDate;

/** Date checks shared by the stay classes. */
final class Dates {
    /** Years outside this range are certainly input errors (and keep day arithmetic far from overflow). */
    static final int MIN_YEAR = 1000;
    static final int MAX_YEAR = 9000;

    private Dates() {
    }

    static LocalDate check(LocalDate d, String what) {
        if (d == null) {
            throw new IllegalArgumentException(what + " is missing");
        }
        if (d.getYear() < MIN_YEAR || d.getYear() > MAX_YEAR) {
            throw new IllegalArgumentException(what + " " + d + " is out of range (years " + MIN_YEAR + "-" + MAX_YEAR + ")");
        }
        return d;
    }
}

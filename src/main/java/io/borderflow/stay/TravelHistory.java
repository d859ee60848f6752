package io.borderflow.stay;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A traveller's validated stays (sorted by entry) and permit periods. Stays may touch (an exit and a new
 * entry on the same date: that date is one day of presence) but not overlap; only the last stay may be open.
 * Permit periods may overlap each other.
 */
public final class TravelHistory {
    private static final Comparator<Stay> ORDER = Comparator.comparing(Stay::entry)
            .thenComparing(s -> s.exit() == null ? java.time.LocalDate.MAX : s.exit());

    private final List<Stay> stays;
    private final List<PermitPeriod> permits;

    private TravelHistory(List<Stay> stays, List<PermitPeriod> permits) {
        this.stays = stays;
        this.permits = permits;
    }

    /** Validates and sorts; overlapping stays, or a stay after an open one, are an IllegalArgumentException. */
    public static TravelHistory of(Collection<Stay> stays, Collection<PermitPeriod> permits) {
        List<Stay> sorted = new ArrayList<>(stays.size());
        for (Stay s : stays) {
            if (s == null) {
                throw new IllegalArgumentException("a stay is missing (null)");
            }
            sorted.add(s);
        }
        sorted.sort(ORDER);
        for (int i = 1; i < sorted.size(); i++) {
            Stay a = sorted.get(i - 1);
            Stay b = sorted.get(i);
            if (a.isOpen()) {
                throw new IllegalArgumentException("stays overlap: " + a + " has no exit but " + b + " starts after it");
            }
            if (b.entry().isBefore(a.exit())) {
                throw new IllegalArgumentException("stays overlap: " + a + " and " + b);
            }
        }
        for (PermitPeriod p : permits) {
            if (p == null) {
                throw new IllegalArgumentException("a permit period is missing (null)");
            }
        }
        return new TravelHistory(List.copyOf(sorted), List.copyOf(permits));
    }

    public static TravelHistory of(Collection<Stay> stays) {
        return of(stays, List.of());
    }

    /** Stays sorted by entry date. */
    public List<Stay> stays() {
        return stays;
    }

    public List<PermitPeriod> permits() {
        return permits;
    }

    /** The stay without an exit, if any (always the last one). */
    public Optional<Stay> openStay() {
        return stays.isEmpty() || !stays.get(stays.size() - 1).isOpen() ? Optional.empty()
                : Optional.of(stays.get(stays.size() - 1));
    }

    /** A new history with one more stay (validated again). */
    public TravelHistory with(Stay stay) {
        List<Stay> all = new ArrayList<>(stays);
        all.add(stay);
        return of(all, permits);
    }

    @Override
    public String toString() {
        return "stays " + stays + ", permits " + permits;
    }
}

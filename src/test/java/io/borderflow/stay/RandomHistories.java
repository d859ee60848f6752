package io.borderflow.stay;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Random but plausible travel histories around the 2023 change: visa runs, touching stays, permits. */
final class RandomHistories {
    record Case(List<Stay> stays, List<PermitPeriod> permits, LocalDate day) {
        TravelHistory history() {
            return TravelHistory.of(stays, permits);
        }

        @Override
        public String toString() {
            return "stays " + stays + " permits " + permits + " day " + day;
        }
    }

    private final Random random;

    RandomHistories(long seed) {
        this.random = new Random(seed);
    }

    private LocalDate start() {
        // 1 Mar 2022 to mid 2023: many histories straddle 27 Jan 2023.
        return LocalDate.of(2022, 3, 1).plusDays(random.nextInt(480));
    }

    private int gap() {
        int p = random.nextInt(100);
        if (p < 15) {
            return 0; // touching: exit and re-entry on the same date
        }
        if (p < 40) {
            return 1 + random.nextInt(5); // visa run
        }
        return 1 + random.nextInt(150);
    }

    private int length() {
        int p = random.nextInt(100);
        if (p < 10) {
            return 1; // same-day in and out
        }
        if (p < 30) {
            return 1 + random.nextInt(10);
        }
        if (p < 50) {
            return 80 + random.nextInt(20); // around the 90-day limits
        }
        return 1 + random.nextInt(130);
    }

    private List<Stay> stays(LocalDate start, boolean allowOpen) {
        int n = random.nextInt(7);
        List<Stay> stays = new ArrayList<>();
        LocalDate cursor = start;
        for (int i = 0; i < n; i++) {
            LocalDate entry = i == 0 ? cursor : cursor.plusDays(gap());
            LocalDate exit = entry.plusDays(length() - 1);
            boolean open = allowOpen && i == n - 1 && random.nextInt(100) < 30;
            stays.add(open ? Stay.open(entry) : new Stay(entry, exit));
            cursor = exit;
        }
        return stays;
    }

    private List<PermitPeriod> permits(LocalDate start, int span) {
        List<PermitPeriod> permits = new ArrayList<>();
        int n = random.nextInt(100) < 60 ? 0 : 1 + random.nextInt(2);
        for (int i = 0; i < n; i++) {
            LocalDate from = start.plusDays(random.nextInt(span + 60) - 30);
            permits.add(random.nextInt(100) < 20 ? PermitPeriod.from(from)
                    : new PermitPeriod(from, from.plusDays(random.nextInt(200))));
        }
        return permits;
    }

    private static LocalDate end(List<Stay> stays, LocalDate start) {
        if (stays.isEmpty()) {
            return start;
        }
        Stay last = stays.get(stays.size() - 1);
        return last.exit() == null ? last.entry().plusDays(100) : last.exit();
    }

    /** A history and a control day anywhere from a little before it to well after it. */
    Case control() {
        LocalDate start = start();
        List<Stay> stays = stays(start, true);
        int span = (int) (end(stays, start).toEpochDay() - start.toEpochDay()) + 1;
        LocalDate day = start.plusDays(random.nextInt(span + 200) - 10);
        return new Case(stays, permits(start, span), day);
    }

    /** A closed history and a planned entry on or after its last exit. */
    Case plan() {
        LocalDate start = start();
        List<Stay> stays = stays(start, false);
        LocalDate end = end(stays, start);
        int span = (int) (end.toEpochDay() - start.toEpochDay()) + 1;
        int p = random.nextInt(100);
        LocalDate enter = stays.isEmpty() ? start : end.plusDays(p < 15 ? 0 : p < 40 ? 1 + random.nextInt(5) : random.nextInt(200));
        return new Case(stays, permits(start, span), enter);
    }
}

package io.borderflow.replay.calibration;

import io.borderflow.replay.calibration.DailyTally.Measure;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The comparison of a replay with the published figures of the September 2022 surge: targets
 * T1-T7 of shared/domain.md, one row per figure, each with its tolerance.
 */
public final class CalibrationReport {

    /**
     * One figure. {@code reference} is what the deviation is measured against (the published
     * number, or the middle of a published range); {@code low}..{@code high} is the pass band.
     */
    public record Row(String target, String what, String published, double replayed, double reference,
                      double low, double high, boolean covered) {
        public double deviation() {
            return (replayed - reference) / reference;
        }

        public boolean pass() {
            return covered && replayed >= low && replayed <= high;
        }
    }

    private final List<Row> rows;

    private CalibrationReport(List<Row> rows) {
        this.rows = List.copyOf(rows);
    }

    public List<Row> rows() {
        return rows;
    }

    public boolean allPass() {
        return rows.stream().allMatch(Row::pass);
    }

    public static CalibrationReport of(DailyTally t) {
        List<Row> rows = new ArrayList<>();
        Builder b = new Builder(t, rows);
        LocalDate sep1 = d(9, 1);
        LocalDate sep20 = d(9, 20);
        LocalDate sep21 = d(9, 21);
        LocalDate sep27 = d(9, 27);
        LocalDate oct4 = d(10, 4);

        b.averageRange("T1", "in/day 1-20 Sep", "8,000-9,000", sep1, sep20, Measure.RU_IN, 8000, 9000, 0);
        b.averageRange("T1", "out/day 1-20 Sep", "about the same", sep1, sep20, Measure.RU_OUT, 8000, 9000, 0.05);
        b.sum("T2", "in 21-27 Sep", 98_000, sep21, sep27, Measure.RU_IN, 0.10);
        b.sum("T2", "out 21-27 Sep", 64_234, sep21, sep27, Measure.RU_OUT, 0.10);
        b.sumRange("T3", "in 21 Sep-4 Oct", "200,000-220,000", sep21, oct4, Measure.RU_IN, 200_000, 220_000, 0.05);
        b.sum("T3", "out 21 Sep-4 Oct", 147_000, sep21, oct4, Measure.RU_OUT, 0.10);
        b.peak("T4", "peak in/day 21-28 Sep", sep21, d(9, 28));
        int[][] t5 = {{9, 29, 22_500, 10_100}, {9, 30, 14_900, 11_600}, {10, 3, 7_000, 11_000}, {10, 4, 7_800, 10_500}};
        for (int[] f : t5) {
            LocalDate day = d(f[0], f[1]);
            String label = day.getDayOfMonth() + " " + (f[0] == 9 ? "Sep" : "Oct");
            b.sum("T5", "in " + label, f[2], day, day, Measure.RU_IN, 0.15);
            b.sum("T5", "out " + label, f[3], day, day, Measure.RU_OUT, 0.15);
        }
        b.averageRange("T6", "in/day 17-31 Oct", "8,000-9,000", d(10, 17), d(10, 31), Measure.RU_IN, 8000, 9000, 0.05);
        b.averageRange("T6", "out/day 17-31 Oct", "10,000-11,000", d(10, 17), d(10, 31), Measure.RU_OUT, 10_000, 11_000, 0.05);
        b.atLeast("T7", "IINs issued to RU 21-27 Sep", 8_000, sep21, sep27, Measure.RU_IIN_ISSUED, 0.30);
        b.atLeast("T7", "IINs issued to RU 21 Sep-4 Oct", 70_000, sep21, oct4, Measure.RU_IIN_ISSUED, 0.30);
        b.sum("T7", "IIN applications, all 21 Sep-27 Oct", 200_000, sep21, d(10, 27), Measure.ALL_IIN_APPLIED, 0.15);
        return new CalibrationReport(rows);
    }

    private static LocalDate d(int month, int day) {
        return LocalDate.of(2022, month, day);
    }

    private record Builder(DailyTally t, List<Row> rows) {
        void sum(String id, String what, double published, LocalDate from, LocalDate to, Measure m, double tol) {
            rows.add(new Row(id, what, fmt(published), t.sum(from, to, m), published,
                    published * (1 - tol), published * (1 + tol), t.covers(from, to)));
        }

        void sumRange(String id, String what, String published, LocalDate from, LocalDate to, Measure m,
                      double lo, double hi, double tol) {
            rows.add(new Row(id, what, published, t.sum(from, to, m), (lo + hi) / 2,
                    lo * (1 - tol), hi * (1 + tol), t.covers(from, to)));
        }

        void averageRange(String id, String what, String published, LocalDate from, LocalDate to, Measure m,
                          double lo, double hi, double tol) {
            rows.add(new Row(id, what, published, t.average(from, to, m), (lo + hi) / 2,
                    lo * (1 - tol), hi * (1 + tol), t.covers(from, to)));
        }

        void peak(String id, String what, LocalDate from, LocalDate to) {
            rows.add(new Row(id, what, "about 30,000", t.max(from, to, Measure.RU_IN), 30_000, 25_500, 34_500,
                    t.covers(from, to)));
        }

        void atLeast(String id, String what, double published, LocalDate from, LocalDate to, Measure m, double over) {
            rows.add(new Row(id, what, "over " + fmt(published), t.sum(from, to, m), published,
                    published, published * (1 + over), t.covers(from, to)));
        }
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    /** A plain-text table: target, published, replayed, deviation, pass. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        String header = String.format(Locale.ROOT, "%-3s %-36s %16s %12s %10s  %s%n", "#", "figure (RU, local days)",
                "published", "replayed", "deviation", "pass");
        sb.append(header);
        sb.append("-".repeat(header.length() - 1)).append('\n');
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-3s %-36s %16s %12s %10s  %s%n", r.target(), r.what(), r.published(),
                    r.covered() ? fmt(r.replayed()) : "-",
                    r.covered() ? String.format(Locale.ROOT, "%+.1f%%", 100 * r.deviation()) : "-",
                    !r.covered() ? "not in replayed range" : r.pass() ? "PASS" : "FAIL"));
        }
        long passed = rows.stream().filter(Row::pass).count();
        sb.append(String.format(Locale.ROOT, "%d of %d figures within tolerance%n", passed, rows.size()));
        return sb.toString();
    }
}

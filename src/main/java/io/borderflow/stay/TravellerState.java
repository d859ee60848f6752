package io.borderflow.stay;

import io.borderflow.avro.StayState;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the compliance topology keeps per traveller, and its compact binary form (the value of the
 * {@value StayTopology#TRAVELLERS_STORE} store). Days are epoch days of local dates.
 *
 * <h2>Encoding (format 1)</h2>
 * All integers are unsigned LEB128 varints (zig-zag where they may be negative):
 * <pre>
 * byte     format (1)
 * varint   flags: bits 0-1 citizenship (0 unknown, 1 EAEU, 2 visa-free), bit 2 overstay alert raised,
 *                 bits 3-5 last emitted status (0 none, 1 + StayState ordinal), bit 6 review day present,
 *                 bit 7 last crossing time present, bits 8-17 citizenship code (0 unknown, else
 *                 1 + 26 x first letter + second letter of the ISO alpha-2 code: one byte more than
 *                 without, and the metrics read status and citizenship from the flags alone, {@link #countedAs}),
 *                 bit 18 arrival cohort present
 * zigzag   last crossing time, epoch minutes                      (if bit 7)
 * zigzag   overstay days of records no longer kept (may be negative: see StayTracker#prune)
 * zigzag   review day minus the reference day                     (if bit 6)
 * zigzag   overstay alert start, epoch minutes minus the last crossing time (if bit 2)
 * varint   number of stays, then per stay:
 *            zigzag entry (first stay: epoch day; later: days after the previous exit, >= 0)
 *            varint (length &lt;&lt; 3 | open &lt;&lt; 2 | entry assumed &lt;&lt; 1 | exit assumed), length = exit - entry
 * varint   number of permits, then per permit: zigzag from minus the reference day, varint (to - from + 1, 0 open)
 * (if bit 18, the arrival cohort, see {@link Cohorts}:)
 * zigzag   first entry day minus the reference day
 * varint   cohort flags: bits 0-4 IIN within 30 days, host notification, permit, left, came back;
 *          bits 5-6 presence thresholds decided
 * varint   length of the cohort's citizenship, then its UTF-8 bytes
 * </pre>
 * The reference day is the first stay's entry, else the epoch day of the last crossing, else 0. A typical
 * traveller (one stay, no permit) takes about 15 bytes, 6 more as a member of an arrival cohort. The cohort
 * section comes last: a reader that does not know bit 18 still reads everything before it.
 */
final class TravellerState {
    static final long NONE = Long.MIN_VALUE;
    static final byte FORMAT = 1;
    private static final int COHORT_BIT = 1 << 18;

    /** One stay in epoch days; {@code exit == NONE} while open. */
    static final class Visit {
        long entry;
        long exit;
        boolean entryAssumed;
        boolean exitAssumed;

        Visit(long entry, long exit, boolean entryAssumed, boolean exitAssumed) {
            this.entry = entry;
            this.exit = exit;
            this.entryAssumed = entryAssumed;
            this.exitAssumed = exitAssumed;
        }

        boolean open() {
            return exit == NONE;
        }

        Stay stay() {
            return new Stay(LocalDate.ofEpochDay(entry), open() ? null : LocalDate.ofEpochDay(exit));
        }

        Visit copy() {
            return new Visit(entry, exit, entryAssumed, exitAssumed);
        }
    }

    /** A permit period in epoch days; {@code to == NONE} when open-ended. */
    record Permit(long from, long to) {
        boolean open() {
            return to == NONE;
        }

        boolean covers(long day) {
            return day >= from && (to == NONE || day <= to);
        }

        PermitPeriod period() {
            return new PermitPeriod(LocalDate.ofEpochDay(from), to == NONE ? null : LocalDate.ofEpochDay(to));
        }
    }

    CitizenshipClass citizenship;
    /** The citizenship of the last crossing (ISO code), for metrics by citizenship; null if unknown. */
    String citizenshipCode;
    long lastEventMinute = NONE;
    int baseOverstayDays;
    long reviewDay = NONE;
    /**
     * The day of the traveller's key in the due index as last written ({@link DueKey#of}); NONE: no key.
     * Not encoded: a decoded state sets it from {@link #indexDay()}, which is what was written with it.
     */
    long indexedDay = NONE;
    boolean alertRaised;
    long alertStartMinute;
    StayState lastStatus;
    /** The arrival cohort ({@link Cohorts}): epoch day of the first entry, NONE when not a member. */
    long cohortEntry = NONE;
    String cohortCitizenship;
    int cohortFlags;
    final List<Visit> stays = new ArrayList<>();
    final List<Permit> permits = new ArrayList<>();

    // ---- queries -------------------------------------------------------------------------------

    boolean present() {
        return !stays.isEmpty() && stays.get(stays.size() - 1).open();
    }

    Visit openStay() {
        return present() ? stays.get(stays.size() - 1) : null;
    }

    /** The last closed stay, or null. */
    Visit lastClosed() {
        for (int i = stays.size() - 1; i >= 0; i--) {
            if (!stays.get(i).open()) {
                return stays.get(i);
            }
        }
        return null;
    }

    /**
     * The day of the traveller's one key in the due index: the earlier of the review day and the eve of the
     * cohort's next threshold (either NONE when none is to come).
     */
    long indexDay() {
        long due = Cohorts.dueDay(this);
        return reviewDay == NONE ? due : due == NONE ? reviewDay : Math.min(reviewDay, due);
    }

    boolean empty() {
        return stays.isEmpty() && permits.isEmpty();
    }

    /**
     * Whether the traveller may be forgotten on {@code day}: no open stay, no day of presence in the 180 days
     * ending on {@code day}, and no permit valid on or after {@code day} (a returning permit holder must still
     * be known as one).
     */
    boolean removable(long day) {
        if (present()) {
            return false;
        }
        Visit last = lastClosed();
        if (last != null && last.exit > day - RuleVersion.WINDOW_DAYS) {
            return false;
        }
        for (Permit p : permits) {
            if (p.open() || p.to >= day) {
                return false;
            }
        }
        return true;
    }

    /** The engine's view: the stays and permits kept. */
    TravelHistory history() {
        return history(stays, permits);
    }

    static TravelHistory history(List<Visit> stays, List<Permit> permits) {
        List<Stay> s = new ArrayList<>(stays.size());
        for (Visit v : stays) {
            s.add(v.stay());
        }
        List<PermitPeriod> p = new ArrayList<>(permits.size());
        for (Permit x : permits) {
            p.add(x.period());
        }
        return TravelHistory.of(s, p);
    }

    /** The last day of the permit cover that includes {@code day} (chained permits); NONE when open-ended. */
    long exemptionEnd(long day) {
        long end = day - 1;
        boolean grown = true;
        while (grown) {
            grown = false;
            for (Permit p : permits) {
                if (p.from <= end + 1 && (p.open() || p.to > end)) {
                    if (p.open()) {
                        return NONE;
                    }
                    end = p.to;
                    grown = true;
                }
            }
        }
        return end;
    }

    /** The first permit start after {@code day}, or NONE. */
    long nextPermitStart(long day) {
        long next = NONE;
        for (Permit p : permits) {
            if (p.from > day && (next == NONE || p.from < next)) {
                next = p.from;
            }
        }
        return next;
    }

    TravellerState copy() {
        TravellerState c = new TravellerState();
        c.citizenship = citizenship;
        c.citizenshipCode = citizenshipCode;
        c.lastEventMinute = lastEventMinute;
        c.baseOverstayDays = baseOverstayDays;
        c.reviewDay = reviewDay;
        c.indexedDay = indexedDay;
        c.alertRaised = alertRaised;
        c.alertStartMinute = alertStartMinute;
        c.lastStatus = lastStatus;
        c.cohortEntry = cohortEntry;
        c.cohortCitizenship = cohortCitizenship;
        c.cohortFlags = cohortFlags;
        for (Visit v : stays) {
            c.stays.add(v.copy());
        }
        c.permits.addAll(permits);
        return c;
    }

    // ---- encoding ------------------------------------------------------------------------------

    private long referenceDay() {
        if (!stays.isEmpty()) {
            return stays.get(0).entry;
        }
        if (lastEventMinute != NONE) {
            return Math.floorDiv(lastEventMinute, 1440L);
        }
        return 0;
    }

    byte[] encode() {
        Writer w = new Writer();
        w.out[w.n++] = FORMAT;
        int flags = citizenship == null ? 0 : citizenship == CitizenshipClass.EAEU ? 1 : 2;
        if (alertRaised) {
            flags |= 1 << 2;
        }
        flags |= (lastStatus == null ? 0 : lastStatus.ordinal() + 1) << 3;
        if (reviewDay != NONE) {
            flags |= 1 << 6;
        }
        if (lastEventMinute != NONE) {
            flags |= 1 << 7;
        }
        flags |= codeIndex(citizenshipCode) << 8;
        if (cohortEntry != NONE) {
            flags |= COHORT_BIT;
        }
        w.varint(flags);
        if (lastEventMinute != NONE) {
            w.zigzag(lastEventMinute);
        }
        w.zigzag(baseOverstayDays);
        long ref = referenceDay();
        if (reviewDay != NONE) {
            w.zigzag(reviewDay - ref);
        }
        if (alertRaised) {
            w.zigzag(alertStartMinute - (lastEventMinute == NONE ? 0 : lastEventMinute));
        }
        w.varint(stays.size());
        long prevExit = NONE;
        for (Visit v : stays) {
            w.zigzag(prevExit == NONE ? v.entry : v.entry - prevExit);
            long length = v.open() ? 0 : v.exit - v.entry;
            w.varint(length << 3 | (v.open() ? 4 : 0) | (v.entryAssumed ? 2 : 0) | (v.exitAssumed ? 1 : 0));
            prevExit = v.open() ? v.entry : v.exit;
        }
        w.varint(permits.size());
        for (Permit p : permits) {
            w.zigzag(p.from - ref);
            w.varint(p.open() ? 0 : p.to - p.from + 1);
        }
        if (cohortEntry != NONE) {
            w.zigzag(cohortEntry - ref);
            w.varint(cohortFlags);
            byte[] cit = cohortCitizenship.getBytes(StandardCharsets.UTF_8);
            w.varint(cit.length);
            w.bytes(cit);
        }
        return Arrays.copyOf(w.out, w.n);
    }

    static TravellerState decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0 || bytes[0] != FORMAT) {
            throw new IllegalStateException("unknown traveller state format "
                    + (bytes == null || bytes.length == 0 ? "(empty)" : Integer.toString(bytes[0])));
        }
        Reader r = new Reader(bytes);
        r.pos = 1;
        TravellerState s = new TravellerState();
        int flags = (int) r.varint();
        int cit = flags & 3;
        s.citizenship = cit == 0 ? null : cit == 1 ? CitizenshipClass.EAEU : CitizenshipClass.VISA_FREE;
        s.alertRaised = (flags & (1 << 2)) != 0;
        int status = (flags >>> 3) & 7;
        s.lastStatus = status == 0 ? null : StayState.values()[status - 1];
        boolean hasReview = (flags & (1 << 6)) != 0;
        s.citizenshipCode = code(flags);
        if ((flags & (1 << 7)) != 0) {
            s.lastEventMinute = r.zigzag();
        }
        s.baseOverstayDays = (int) r.zigzag();
        long reviewOffset = hasReview ? r.zigzag() : 0;
        long alertOffset = s.alertRaised ? r.zigzag() : 0;
        int n = (int) r.varint();
        long prevExit = NONE;
        for (int i = 0; i < n; i++) {
            long e = r.zigzag();
            long entry = prevExit == NONE ? e : prevExit + e;
            long code = r.varint();
            boolean open = (code & 4) != 0;
            Visit v = new Visit(entry, open ? NONE : entry + (code >>> 3), (code & 2) != 0, (code & 1) != 0);
            s.stays.add(v);
            prevExit = open ? entry : v.exit;
        }
        long ref = s.referenceDay();
        int m = (int) r.varint();
        for (int i = 0; i < m; i++) {
            long from = ref + r.zigzag();
            long len = r.varint();
            s.permits.add(new Permit(from, len == 0 ? NONE : from + len - 1));
        }
        if ((flags & COHORT_BIT) != 0) {
            s.cohortEntry = ref + r.zigzag();
            s.cohortFlags = (int) r.varint();
            s.cohortCitizenship = r.string((int) r.varint());
        }
        s.reviewDay = hasReview ? ref + reviewOffset : NONE;
        if (s.alertRaised) {
            s.alertStartMinute = alertOffset + (s.lastEventMinute == NONE ? 0 : s.lastEventMinute);
        }
        s.indexedDay = s.indexDay();
        return s;
    }

    /** What a stored state counts as in the metrics: last status (null: none yet), citizenship code, alert. */
    record Counted(StayState status, String citizenship, boolean alertRaised) {
    }

    /** Reads only the start of an encoded state (null bytes: no state). */
    static Counted countedAs(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        if (bytes.length == 0 || bytes[0] != FORMAT) {
            throw new IllegalStateException("unknown traveller state format "
                    + (bytes.length == 0 ? "(empty)" : Integer.toString(bytes[0])));
        }
        Reader r = new Reader(bytes);
        r.pos = 1;
        int flags = (int) r.varint();
        int status = (flags >>> 3) & 7;
        return new Counted(status == 0 ? null : StayState.values()[status - 1], code(flags), (flags & (1 << 2)) != 0);
    }

    /** 1 + the code's index among the 676 two-letter codes; 0 for none or anything else. */
    static int codeIndex(String code) {
        String c = code == null ? "" : code.strip();
        if (c.length() != 2) {
            return 0;
        }
        int a = Character.toUpperCase(c.charAt(0)) - 'A';
        int b = Character.toUpperCase(c.charAt(1)) - 'A';
        return a < 0 || a >= 26 || b < 0 || b >= 26 ? 0 : 1 + a * 26 + b;
    }

    private static String code(int flags) {
        int i = (flags >>> 8) & 0x3FF;
        if (i == 0 || i > 26 * 26) {
            return null;
        }
        return new String(new char[] {(char) ('A' + (i - 1) / 26), (char) ('A' + (i - 1) % 26)});
    }

    private static final class Writer {
        byte[] out = new byte[32];
        int n;

        void varint(long v) {
            if (n + 10 > out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            while ((v & ~0x7FL) != 0) {
                out[n++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out[n++] = (byte) v;
        }

        void zigzag(long v) {
            varint((v << 1) ^ (v >> 63));
        }

        void bytes(byte[] b) {
            if (n + b.length > out.length) {
                out = Arrays.copyOf(out, Math.max(out.length * 2, n + b.length));
            }
            System.arraycopy(b, 0, out, n, b.length);
            n += b.length;
        }
    }

    private static final class Reader {
        final byte[] in;
        int pos;

        Reader(byte[] in) {
            this.in = in;
        }

        long varint() {
            long v = 0;
            int shift = 0;
            while (true) {
                if (pos >= in.length || shift > 63) {
                    throw new IllegalStateException("truncated traveller state");
                }
                byte b = in[pos++];
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
                shift += 7;
            }
        }

        long zigzag() {
            long v = varint();
            return (v >>> 1) ^ -(v & 1);
        }

        String string(int len) {
            if (len < 0 || pos + len > in.length) {
                throw new IllegalStateException("truncated traveller state");
            }
            String s = new String(in, pos, len, StandardCharsets.UTF_8);
            pos += len;
            return s;
        }
    }
}

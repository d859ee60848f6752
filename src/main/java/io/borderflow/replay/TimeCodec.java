package io.borderflow.replay;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneRules;

/**
 * Fast ISO-8601 rendering and parsing of event times, shared by {@link EventJson} and the CSV sources.
 *
 * <p>Rendering: {@code yyyy-MM-ddTHH:mm:ss[.SSS]±HH:MM[:SS]} with the offset the zone has at that
 * instant; milliseconds only when non-zero; a zero offset is written {@code +00:00} (not {@code Z}) so
 * that every line carries an explicit numeric offset. Sub-millisecond precision is truncated (Avro's
 * timestamp-millis cannot hold it anyway).
 *
 * <p>Parsing: the canonical form above takes a hand-written fast path; anything else ISO-8601 allows
 * ({@code Z}, other fraction lengths, {@code +HHMM}) falls back to {@link DateTimeFormatter}.
 */
final class TimeCodec {
    /** Longest rendering: {@code -yyyyyyyyy...}; the fast path never exceeds 35 chars. */
    static final int MAX_LENGTH = 64;

    private static final DateTimeFormatter SLOW_FORMAT = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .appendLiteral('T')
            .appendPattern("HH:mm:ss")
            .optionalStart().appendFraction(java.time.temporal.ChronoField.MILLI_OF_SECOND, 3, 3, true).optionalEnd()
            .appendOffset("+HH:MM:ss", "+00:00")
            .toFormatter();

    private static final ZoneOffset[] QUARTER_HOUR_OFFSETS = new ZoneOffset[18 * 4 * 2 + 1];

    static {
        for (int i = 0; i < QUARTER_HOUR_OFFSETS.length; i++) {
            QUARTER_HOUR_OFFSETS[i] = ZoneOffset.ofTotalSeconds((i - 18 * 4) * 900);
        }
    }

    private TimeCodec() {
    }

    /** Renders {@code t} (truncated to ms) in the offset {@code rules} give at that instant; returns the length. */
    static int format(Instant t, ZoneRules rules, char[] buf) {
        long sec = t.getEpochSecond();
        int milli = t.getNano() / 1_000_000;
        ZoneOffset off = rules.getOffset(t);
        int offSec = off.getTotalSeconds();
        long local = sec + offSec;
        long epochDay = Math.floorDiv(local, 86_400L);
        int sod = (int) Math.floorMod(local, 86_400L);
        if (epochDay < -719_528L || epochDay > 2_932_896L) { // outside years 0000..9999
            String s = SLOW_FORMAT.format(OffsetDateTime.ofInstant(t.truncatedTo(ChronoUnit.MILLIS), off));
            s.getChars(0, s.length(), buf, 0);
            return s.length();
        }
        LocalDate d = LocalDate.ofEpochDay(epochDay);
        int p = 0;
        int y = d.getYear();
        buf[p++] = (char) ('0' + y / 1000);
        buf[p++] = (char) ('0' + y / 100 % 10);
        buf[p++] = (char) ('0' + y / 10 % 10);
        buf[p++] = (char) ('0' + y % 10);
        buf[p++] = '-';
        p = two(buf, p, d.getMonthValue());
        buf[p++] = '-';
        p = two(buf, p, d.getDayOfMonth());
        buf[p++] = 'T';
        p = two(buf, p, sod / 3600);
        buf[p++] = ':';
        p = two(buf, p, sod / 60 % 60);
        buf[p++] = ':';
        p = two(buf, p, sod % 60);
        if (milli != 0) {
            buf[p++] = '.';
            buf[p++] = (char) ('0' + milli / 100);
            buf[p++] = (char) ('0' + milli / 10 % 10);
            buf[p++] = (char) ('0' + milli % 10);
        }
        buf[p++] = offSec < 0 ? '-' : '+';
        int abs = Math.abs(offSec);
        p = two(buf, p, abs / 3600);
        buf[p++] = ':';
        p = two(buf, p, abs / 60 % 60);
        if (abs % 60 != 0) {
            buf[p++] = ':';
            p = two(buf, p, abs % 60);
        }
        return p;
    }

    static String format(Instant t, ZoneRules rules) {
        char[] buf = new char[MAX_LENGTH];
        return new String(buf, 0, format(t, rules, buf));
    }

    private static int two(char[] buf, int p, int v) {
        buf[p] = (char) ('0' + v / 10);
        buf[p + 1] = (char) ('0' + v % 10);
        return p + 2;
    }

    /** True when the text ends in an offset ({@code Z}, {@code +hh..}, {@code -hh..}) after the date. */
    static boolean hasOffset(String s) {
        int n = s.length();
        if (n == 0) {
            return false;
        }
        char last = s.charAt(n - 1);
        if (last == 'Z' || last == 'z') {
            return true;
        }
        int t = s.indexOf('T');
        if (t < 0) {
            t = s.indexOf(' ');
        }
        if (t < 0) {
            return false;
        }
        return s.indexOf('+', t) > 0 || s.indexOf('-', t) > 0;
    }

    /** Parses a date-time with offset, e.g. {@code 2022-09-21T08:15:00+06:00}. */
    static Instant parseOffset(String s) throws DateTimeException {
        Instant fast = fastOffset(s);
        if (fast != null) {
            return fast;
        }
        return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** Parses a local date-time without offset, e.g. {@code 2022-09-21T08:15:00} or {@code 2022-09-21T08:15}. */
    static LocalDateTime parseLocal(String s) throws DateTimeParseException {
        return LocalDateTime.parse(s, DateTimeFormatter.ISO_LOCAL_DATE_TIME).truncatedTo(ChronoUnit.MILLIS);
    }

    /** The canonical shape only; null means "use the slow parser" (which also produces the error). */
    private static Instant fastOffset(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        int p = 19;
        int milli = 0;
        if (s.charAt(p) == '.') {
            if (n < p + 4) {
                return null;
            }
            milli = digits(s, p + 1, 3);
            if (milli < 0) {
                return null;
            }
            p += 4;
        }
        if (n != p + 6) {
            return null;
        }
        char sign = s.charAt(p);
        if ((sign != '+' && sign != '-') || s.charAt(p + 3) != ':') {
            return null;
        }
        int oh = digits(s, p + 1, 2);
        int om = digits(s, p + 4, 2);
        if ((oh | om) < 0 || om >= 60 || om % 15 != 0 || oh > 18) {
            return null;
        }
        int offQuarters = (oh * 4 + om / 15) * (sign == '-' ? -1 : 1);
        if (Math.abs(offQuarters) > 18 * 4) {
            return null;
        }
        ZoneOffset off = QUARTER_HOUR_OFFSETS[offQuarters + 18 * 4];
        try {
            long epochSecond = LocalDateTime.of(year, month, day, hour, minute, second).toEpochSecond(off);
            return Instant.ofEpochSecond(epochSecond, milli * 1_000_000L);
        } catch (DateTimeException e) {
            return null; // let the slow path report it
        }
    }

    private static int digits(String s, int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) {
            int c = s.charAt(i) - '0';
            if (c < 0 || c > 9) {
                return -1;
            }
            v = v * 10 + c;
        }
        return v;
    }
}

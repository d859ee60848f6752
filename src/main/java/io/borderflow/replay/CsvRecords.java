package io.borderflow.replay;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Rows of a CSV file with a header (RFC 4180: comma separated, fields may be quoted with {@code "}, a quote
 * inside a quoted field is doubled, a quoted field may span lines). Blank lines are skipped. Blanks around
 * an unquoted field are dropped; a quoted field is kept exactly. Header names are matched case-insensitively
 * (blanks and a byte-order mark ignored).
 *
 * <p>A bad header (unknown, missing or repeated columns) is reported once, as a reject at the header's line,
 * and the file yields no rows: the columns cannot be trusted. A bad row is reported and skipped.
 */
final class CsvRecords implements Closeable {
    private static final String UNTERMINATED = "\0unterminated";
    /** Most lines one quoted field may span. */
    static final int MAX_SPAN = 100;

    private final LineReader reader;
    private final String source;
    private final Consumer<Reject> rejects;
    private final List<String> required;
    private final List<String> optional;
    private final Map<String, Integer> columns = new HashMap<>();
    private final List<String> scratch = new ArrayList<>();
    private int width = -1;
    private boolean finished;
    private final ArrayDeque<Physical> pushedBack = new ArrayDeque<>();
    private long physicalLine;
    private long line;
    private String raw;

    CsvRecords(LineReader reader, String source, Consumer<Reject> rejects, List<String> required, List<String> optional) {
        this.reader = reader;
        this.source = source;
        this.rejects = rejects;
        this.required = required;
        this.optional = optional;
    }

    /** Index of a column, -1 when the file has none by that name. Valid once {@link #next()} has been called. */
    int column(String name) {
        return columns.getOrDefault(name, -1);
    }

    /** 1-based line where the row last returned starts. */
    long line() {
        return line;
    }

    /** The row last returned, as read (lines joined by {@code \n} when a quoted field spans lines). */
    String raw() {
        return raw;
    }

    /** The next well-formed row (one value per header column), or null at the end. */
    String[] next() throws IOException {
        if (finished) {
            return null;
        }
        if (width < 0 && !readHeader()) {
            finished = true;
            return null;
        }
        while (true) {
            String rec = readRecord();
            if (rec == null) {
                finished = true;
                return null;
            }
            if (scratch.size() != width) {
                reject("expected " + width + " columns as in the header, got " + scratch.size());
                continue;
            }
            return scratch.toArray(new String[0]);
        }
    }

    private boolean readHeader() throws IOException {
        String rec = readRecord();
        if (rec == null) {
            return false;
        }
        Set<String> known = new LinkedHashSet<>(required);
        known.addAll(optional);
        List<String> problems = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < scratch.size(); i++) {
            String name = scratch.get(i).strip().toLowerCase(Locale.ROOT);
            if (!known.contains(name)) {
                unknown.add(EventValidator.quote(scratch.get(i)));
            } else if (columns.putIfAbsent(name, i) != null) {
                problems.add("column \"" + name + "\" appears twice");
            }
        }
        if (columns.isEmpty()) {
            // Most likely a data row: its values (maybe identities) must not be echoed.
            problems.clear();
            problems.add("no header row (the first line names none of the expected columns)");
        } else if (!unknown.isEmpty()) {
            problems.add(0, "unknown column" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown));
        }
        List<String> missing = required.stream().filter(c -> !columns.containsKey(c)).collect(Collectors.toList());
        if (!missing.isEmpty() && !columns.isEmpty()) {
            problems.add("missing column" + (missing.size() > 1 ? "s " : " ") + String.join(", ", missing));
        }
        if (!problems.isEmpty()) {
            reject("bad header, file skipped: " + String.join("; ", problems) + " (expected columns "
                    + String.join(",", required)
                    + (optional.isEmpty() ? "" : " and optionally " + String.join(",", optional)) + ", in any order)");
            return false;
        }
        width = scratch.size();
        return true;
    }

    /** Next non-blank, well-quoted record into {@link #scratch}; rejects and skips badly quoted ones. */
    private String readRecord() throws IOException {
        while (true) {
            Physical first = readPhysical();
            if (first == null) {
                return null;
            }
            line = physicalLine;
            raw = first.text();
            if (first.tooLong()) {
                reject("line longer than " + LineReader.MAX_LINE + " characters");
                continue;
            }
            if (raw.isBlank()) {
                continue;
            }
            if (raw.indexOf('\uFFFD') >= 0) {
                reject("not valid UTF-8");
                continue;
            }
            String rec = raw;
            String err = split(rec, scratch);
            List<Physical> more = null;
            while (err == UNTERMINATED) {
                if (more == null) {
                    more = new ArrayList<>();
                } else if (more.size() >= MAX_SPAN) {
                    err = "quoted field not closed within " + MAX_SPAN + " lines";
                    break;
                }
                Physical next = readPhysical();
                if (next == null) {
                    err = "quoted field not closed before the end of the file";
                    break;
                }
                more.add(next);
                if (next.tooLong() || next.text().indexOf('\uFFFD') >= 0) {
                    err = "quoted field not closed on this line";
                    break;
                }
                rec = rec + "\n" + next.text();
                err = split(rec, scratch);
                if (err != null && err != UNTERMINATED) {
                    err = "quoted field not closed on this line";
                }
            }
            if (err != null) {
                // Only this line is refused: the lines looked at for the closing quote may be good rows.
                if (more != null) {
                    for (int i = more.size() - 1; i >= 0; i--) {
                        pushedBack.addFirst(more.get(i));
                    }
                    physicalLine -= more.size();
                }
                reject(err);
                continue;
            }
            raw = rec;
            return rec;
        }
    }

    private Physical readPhysical() throws IOException {
        Physical p = pushedBack.pollFirst();
        if (p == null) {
            String text = reader.readLine();
            if (text == null) {
                return null;
            }
            p = new Physical(text, reader.lastTooLong());
        }
        physicalLine++;
        return p;
    }

    private record Physical(String text, boolean tooLong) {
    }

    private void reject(String reason) {
        rejects.accept(new Reject(source, line, reason, raw));
    }

    /**
     * Splits one record into {@code out}. Returns null when fine, {@link #UNTERMINATED} when a quoted field
     * runs past the end of the text, or a reason.
     */
    static String split(String s, List<String> out) {
        out.clear();
        int n = s.length();
        int i = 0;
        StringBuilder b = new StringBuilder();
        while (true) {
            // at the start of a field
            int j = i;
            while (j < n && (s.charAt(j) == ' ' || s.charAt(j) == '\t')) {
                j++;
            }
            if (j < n && s.charAt(j) == '"') {
                b.setLength(0);
                int k = j + 1;
                while (true) {
                    if (k >= n) {
                        return UNTERMINATED;
                    }
                    char c = s.charAt(k);
                    if (c == '"') {
                        if (k + 1 < n && s.charAt(k + 1) == '"') {
                            b.append('"');
                            k += 2;
                        } else {
                            k++;
                            break;
                        }
                    } else {
                        b.append(c);
                        k++;
                    }
                }
                while (k < n && (s.charAt(k) == ' ' || s.charAt(k) == '\t')) {
                    k++;
                }
                out.add(b.toString());
                if (k >= n) {
                    return null;
                }
                if (s.charAt(k) != ',') {
                    return "column " + out.size() + ": unexpected text after a closing quote";
                }
                i = k + 1;
            } else {
                int comma = s.indexOf(',', i);
                int stop = comma < 0 ? n : comma;
                out.add(s.substring(i, stop).strip());
                if (comma < 0) {
                    return null;
                }
                i = comma + 1;
            }
        }
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}

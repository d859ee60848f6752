package io.borderflow.replay;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads lines ({@code \n}, {@code \r\n} or {@code \r}) with a length cap, so that a file without line breaks
 * cannot exhaust memory. Invalid UTF-8 is decoded to U+FFFD. A leading byte-order mark is dropped.
 */
final class LineReader implements Closeable {
    /** Longest line kept; longer lines are skipped up to their end and reported by {@link #lastTooLong()}. */
    static final int MAX_LINE = 1 << 20;

    private final Reader in;
    private final char[] buf = new char[1 << 16];
    private int pos;
    private int end;
    private boolean eof;
    private long lineNo;
    private boolean tooLong;
    private boolean first = true;
    private final StringBuilder sb = new StringBuilder(256);

    LineReader(Reader in) {
        this.in = in;
    }

    static LineReader open(Path path) throws IOException {
        InputStream s = Files.newInputStream(path);
        return new LineReader(new InputStreamReader(s, StandardCharsets.UTF_8));
    }

    /** 1-based number of the line last returned. */
    long lineNumber() {
        return lineNo;
    }

    /** Whether the line last returned was cut at {@link #MAX_LINE} chars. */
    boolean lastTooLong() {
        return tooLong;
    }

    /** The next line without terminator, or null at the end. */
    String readLine() throws IOException {
        sb.setLength(0);
        tooLong = false;
        boolean any = false;
        while (true) {
            if (pos >= end) {
                if (eof || !fill()) {
                    if (!any) {
                        return null;
                    }
                    break;
                }
            }
            any = true;
            int start = pos;
            while (pos < end) {
                char c = buf[pos];
                if (c == '\n' || c == '\r') {
                    String direct = null;
                    if (sb.length() == 0 && pos - start <= MAX_LINE) {
                        direct = new String(buf, start, pos - start); // the common case: one copy
                    } else {
                        append(start, pos);
                    }
                    pos++;
                    if (c == '\r') {
                        if (pos >= end && !eof) {
                            fill();
                        }
                        if (pos < end && buf[pos] == '\n') {
                            pos++;
                        }
                    }
                    return done(direct);
                }
                pos++;
            }
            append(start, pos);
        }
        return done(null);
    }

    private String done(String direct) {
        lineNo++;
        String s = direct != null ? direct : sb.toString();
        if (first) {
            first = false;
            if (!s.isEmpty() && s.charAt(0) == '\uFEFF') {
                s = s.substring(1);
            }
        }
        return s;
    }

    private void append(int from, int to) {
        int room = MAX_LINE - sb.length();
        int n = to - from;
        if (n > room) {
            tooLong = true;
            n = Math.max(room, 0);
        }
        sb.append(buf, from, n);
    }

    private boolean fill() throws IOException {
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) {
            eof = true;
            pos = end = 0;
            return false;
        }
        pos = 0;
        end = n;
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}

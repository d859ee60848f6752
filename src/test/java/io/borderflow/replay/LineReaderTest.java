package io.borderflow.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineReaderTest {
    /** Hands out at most {@code chunk} chars per read, to put line ends on buffer boundaries. */
    static Reader chunked(String s, int chunk) {
        return new Reader() {
            final StringReader in = new StringReader(s);

            @Override
            public int read(char[] cbuf, int off, int len) throws IOException {
                return in.read(cbuf, off, Math.min(len, chunk));
            }

            @Override
            public void close() {
            }
        };
    }

    static List<String> lines(Reader r) throws IOException {
        List<String> out = new ArrayList<>();
        try (LineReader lr = new LineReader(r)) {
            String s;
            while ((s = lr.readLine()) != null) {
                out.add(s);
                assertEquals(out.size(), lr.lineNumber());
            }
        }
        return out;
    }

    @Test
    void allLineEndsAtAllBoundaries() throws IOException {
        String text = "\uFEFFa\r\nbb\rccc\n\ndddd\r\n\r\neeeee";
        List<String> expected = List.of("a", "bb", "ccc", "", "dddd", "", "eeeee");
        for (int chunk = 1; chunk <= text.length(); chunk++) {
            assertEquals(expected, lines(chunked(text, chunk)), "chunk " + chunk);
        }
        assertEquals(List.of("x"), lines(new StringReader("x\n")));
        assertEquals(List.of(), lines(new StringReader("")));
    }

    @Test
    void linesLongerThanTheBufferAndTheCap() throws IOException {
        String longLine = "x".repeat(200_000);
        String tooLong = "y".repeat(LineReader.MAX_LINE + 10);
        try (LineReader lr = new LineReader(new StringReader(longLine + "\n" + tooLong + "\nz"))) {
            assertEquals(longLine, lr.readLine());
            assertFalse(lr.lastTooLong());
            String cut = lr.readLine();
            assertTrue(lr.lastTooLong());
            assertEquals(LineReader.MAX_LINE, cut.length());
            assertEquals("z", lr.readLine());
            assertFalse(lr.lastTooLong());
            assertEquals(3, lr.lineNumber());
            assertNull(lr.readLine());
        }
    }
}

package io.borderflow.config;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Watermark records on the input topics: a record with a null value and the header
 * {@value #HEADER}, sent by the replay to every partition. Its timestamp says "no record older
 * than this will follow on this partition", so windows close when input stops and on quiet
 * partitions (Kafka Streams' stream time only moves with records). Consumers that are not
 * borderflow skip null values and lose nothing.
 *
 * <p>The header value is {@code tick/N} for a periodic watermark on a topic of N partitions
 * ({@code tick} when N is not known), or {@code end/P/N} for the end of the input on partition P
 * of N: once all N partitions have ended, every open window closes. Knowing N, a stream processor
 * waits for every partition before it closes a window.
 */
public final class Watermarks {
    public static final String HEADER = "borderflow.watermark";
    public static final String TICK = "tick";
    private static final String END_PREFIX = "end/";

    private Watermarks() {
    }

    /** The header value of a watermark record, or null for an ordinary record. */
    public static String value(Headers headers) {
        if (headers == null) {
            return null;
        }
        Header h = headers.lastHeader(HEADER);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    public static String tick(int partitions) {
        return TICK + "/" + partitions;
    }

    /** N of {@code tick/N} or {@code end/P/N}; 0 when the value does not say. */
    public static int partitions(String value) {
        String[] parts = value.split("/");
        try {
            return parts.length >= 2 ? Integer.parseInt(parts[parts.length - 1]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public static String end(int partition, int partitions) {
        return END_PREFIX + partition + "/" + partitions;
    }

    public static boolean isEnd(String value) {
        return value != null && value.startsWith(END_PREFIX);
    }

    /** For {@code end/P/N}: {P, N}. */
    public static int[] endPartition(String value) {
        String[] parts = value.split("/");
        return new int[] {Integer.parseInt(parts[1]), Integer.parseInt(parts[2])};
    }

    public static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}

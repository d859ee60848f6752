package io.borderflow.stay;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.apache.kafka.common.utils.Bytes;

/**
 * A key of the due index: the day as a sign-flipped big-endian int (so keys sort by day), then the traveller id.
 *
 * <p>The index holds a key per tracked traveller, so the id is packed when it has one of borderflow's own forms: a
 * pseudonym ({@code p-} and 22 base64url characters, 16 bytes) is stored as a tag byte and its 16 bytes, and a
 * built-in scenario id ({@code t} and 16 lower-case hex digits) as a tag and 8 bytes. That took 7 and 8 bytes off a
 * key. Any other id is stored as its UTF-8 bytes, as every key was before ids were packed, so an index written then
 * reads the same; an id whose first character could be taken for a tag gets a tag of its own. Packing is exact: an
 * id is packed only if unpacking gives it back character for character (lower-case hex, canonical base64url).
 */
final class DueKey {
    static final int DAY_BYTES = 4;
    /** Tags: below any character an id may start with, except the control characters these three are. */
    static final byte RAW = 0;
    static final byte PSEUDONYM = 1;
    static final byte SCENARIO = 2;

    private static final String PSEUDONYM_PREFIX = "p-";
    private static final int PSEUDONYM_CHARS = 22;
    private static final int PSEUDONYM_BYTES = 16;
    private static final char SCENARIO_PREFIX = 't';
    private static final int SCENARIO_DIGITS = 16;
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final HexFormat HEX = HexFormat.of();

    private DueKey() {
    }

    /** The key of {@code id} on {@code day}; a null id gives the day's lowest key (four bytes), for range bounds. */
    static Bytes of(long day, String id) {
        if (id == null) {
            return Bytes.wrap(withDay(day, new byte[DAY_BYTES]));
        }
        byte[] key = pseudonym(id);
        if (key == null) {
            key = scenario(id);
        }
        if (key == null) {
            key = raw(id);
        }
        return Bytes.wrap(withDay(day, key));
    }

    static long day(Bytes key) {
        byte[] k = key.get();
        int flipped = (k[0] & 0xff) << 24 | (k[1] & 0xff) << 16 | (k[2] & 0xff) << 8 | (k[3] & 0xff);
        return flipped ^ Integer.MIN_VALUE;
    }

    static String id(Bytes key) {
        byte[] k = key.get();
        if (k.length == DAY_BYTES) {
            return "";
        }
        return switch (k[DAY_BYTES]) {
            case PSEUDONYM -> unpackPseudonym(k);
            case SCENARIO -> unpackScenario(k);
            case RAW -> new String(k, DAY_BYTES + 1, k.length - DAY_BYTES - 1, StandardCharsets.UTF_8);
            default -> new String(k, DAY_BYTES, k.length - DAY_BYTES, StandardCharsets.UTF_8);
        };
    }

    private static byte[] withDay(long day, byte[] key) {
        int flipped = (int) day ^ Integer.MIN_VALUE;
        key[0] = (byte) (flipped >>> 24);
        key[1] = (byte) (flipped >>> 16);
        key[2] = (byte) (flipped >>> 8);
        key[3] = (byte) flipped;
        return key;
    }

    private static byte[] raw(String id) {
        byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
        boolean tagged = utf8.length > 0 && utf8[0] >= RAW && utf8[0] <= SCENARIO;
        int at = DAY_BYTES + (tagged ? 1 : 0);
        byte[] key = new byte[at + utf8.length];
        if (tagged) {
            key[DAY_BYTES] = RAW;
        }
        System.arraycopy(utf8, 0, key, at, utf8.length);
        return key;
    }

    /** Packed only if encoding the bytes back gives the id: 22 base64url characters hold 4 bits more than 16 bytes. */
    private static byte[] pseudonym(String id) {
        if (id.length() != PSEUDONYM_PREFIX.length() + PSEUDONYM_CHARS || !id.startsWith(PSEUDONYM_PREFIX)) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(id.substring(PSEUDONYM_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (bytes.length != PSEUDONYM_BYTES || !id.regionMatches(PSEUDONYM_PREFIX.length(), BASE64URL.encodeToString(bytes),
                0, PSEUDONYM_CHARS)) {
            return null;
        }
        return tagged(PSEUDONYM, bytes);
    }

    private static String unpackPseudonym(byte[] k) {
        return PSEUDONYM_PREFIX + BASE64URL.encodeToString(Arrays.copyOfRange(k, DAY_BYTES + 1, k.length));
    }

    /** Packed only if formatting the bytes back gives the id: lower-case hex digits. */
    private static byte[] scenario(String id) {
        if (id.length() != 1 + SCENARIO_DIGITS || id.charAt(0) != SCENARIO_PREFIX) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = HEX.parseHex(id, 1, id.length());
        } catch (IllegalArgumentException e) {
            return null;
        }
        return id.regionMatches(1, HEX.formatHex(bytes), 0, SCENARIO_DIGITS) ? tagged(SCENARIO, bytes) : null;
    }

    private static String unpackScenario(byte[] k) {
        return SCENARIO_PREFIX + HEX.formatHex(k, DAY_BYTES + 1, k.length);
    }

    private static byte[] tagged(byte tag, byte[] bytes) {
        byte[] key = new byte[DAY_BYTES + 1 + bytes.length];
        key[DAY_BYTES] = tag;
        System.arraycopy(bytes, 0, key, DAY_BYTES + 1, bytes.length);
        return key;
    }
}

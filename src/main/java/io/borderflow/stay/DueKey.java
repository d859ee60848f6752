package io.borderflow.stay;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
    private static final int SCENARIO_DIGITS = 16;
    private static final char[] BASE64URL =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final byte[] BASE64URL_VALUE = new byte[128];

    static {
        Arrays.fill(BASE64URL_VALUE, (byte) -1);
        for (int i = 0; i < BASE64URL.length; i++) {
            BASE64URL_VALUE[BASE64URL[i]] = (byte) i;
        }
    }

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

    /** 22 base64url characters hold 132 bits: the 128 of the pseudonym and 4 zero bits, or it is not canonical. */
    private static byte[] pseudonym(String id) {
        if (id.length() != PSEUDONYM_PREFIX.length() + PSEUDONYM_CHARS || !id.startsWith(PSEUDONYM_PREFIX)) {
            return null;
        }
        byte[] key = new byte[DAY_BYTES + 1 + PSEUDONYM_BYTES];
        key[DAY_BYTES] = PSEUDONYM;
        int out = DAY_BYTES + 1;
        int bits = 0;
        int pending = 0;
        for (int i = PSEUDONYM_PREFIX.length(); i < id.length(); i++) {
            char ch = id.charAt(i);
            int v = ch < BASE64URL_VALUE.length ? BASE64URL_VALUE[ch] : -1;
            if (v < 0) {
                return null;
            }
            pending = pending << 6 | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                key[out++] = (byte) (pending >>> bits);
                pending &= (1 << bits) - 1;
            }
        }
        return pending == 0 ? key : null;
    }

    private static String unpackPseudonym(byte[] k) {
        char[] out = new char[PSEUDONYM_PREFIX.length() + PSEUDONYM_CHARS];
        out[0] = 'p';
        out[1] = '-';
        int o = 2;
        int bits = 0;
        int pending = 0;
        for (int i = DAY_BYTES + 1; i < k.length; i++) {
            pending = pending << 8 | (k[i] & 0xff);
            bits += 8;
            while (bits >= 6) {
                bits -= 6;
                out[o++] = BASE64URL[(pending >>> bits) & 63];
            }
            pending &= (1 << bits) - 1;
        }
        out[o] = BASE64URL[(pending << (6 - bits)) & 63];
        return new String(out);
    }

    private static byte[] scenario(String id) {
        if (id.length() != 1 + SCENARIO_DIGITS || id.charAt(0) != 't') {
            return null;
        }
        byte[] key = new byte[DAY_BYTES + 1 + SCENARIO_DIGITS / 2];
        key[DAY_BYTES] = SCENARIO;
        for (int i = 0; i < SCENARIO_DIGITS; i += 2) {
            int hi = hexValue(id.charAt(1 + i));
            int lo = hexValue(id.charAt(2 + i));
            if (hi < 0 || lo < 0) {
                return null;
            }
            key[DAY_BYTES + 1 + i / 2] = (byte) (hi << 4 | lo);
        }
        return key;
    }

    private static int hexValue(char ch) {
        if (ch >= '0' && ch <= '9') {
            return ch - '0';
        }
        return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
    }

    private static String unpackScenario(byte[] k) {
        char[] out = new char[1 + SCENARIO_DIGITS];
        out[0] = 't';
        for (int i = 0; i < SCENARIO_DIGITS / 2; i++) {
            int b = k[DAY_BYTES + 1 + i] & 0xff;
            out[1 + 2 * i] = HEX[b >>> 4];
            out[2 + 2 * i] = HEX[b & 15];
        }
        return new String(out);
    }
}

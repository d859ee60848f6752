package io.borderflow.replay;

import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Replaces a traveller id by a keyed hash: {@code "p-"} + the first 16 bytes of HMAC-SHA256(key, UTF-8 id),
 * base64url without padding (24 chars in all). 128 bits: the chance of any collision among 10 million
 * travellers is about 10⁻²⁵. Deterministic for a key, unlinkable without it. {@code null} stays null.
 *
 * <p>Thread-safe (one {@link Mac} per thread). Neither the key nor any id ever appears in a message or in
 * {@link #toString()}.
 */
public final class Pseudonymiser implements UnaryOperator<String> {
    public static final int MIN_KEY_BYTES = 16;
    public static final String PREFIX = "p-";
    private static final String ALGORITHM = "HmacSHA256";
    private static final String HOW_TO = "set the environment variable " + BorderflowConfig.PSEUDONYM_KEY_ENV
            + ", or " + BorderflowConfig.PSEUDONYM_KEY_FILE + " (a file holding the key) or "
            + BorderflowConfig.PSEUDONYM_KEY + " in the config; at least " + MIN_KEY_BYTES
            + " bytes, e.g. the output of 'openssl rand -base64 32'";

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> mac;

    /** @throws ConfigException when the key is shorter than {@value #MIN_KEY_BYTES} bytes */
    public Pseudonymiser(byte[] key) {
        if (key == null || key.length < MIN_KEY_BYTES) {
            throw new ConfigException("pseudonymisation key is " + (key == null ? 0 : key.length)
                    + " bytes; it must be at least " + MIN_KEY_BYTES + " (" + HOW_TO + ")");
        }
        this.key = new SecretKeySpec(key.clone(), ALGORITHM);
        this.mac = ThreadLocal.withInitial(this::newMac);
        mac.get(); // fail now, not on the first id, if the JVM lacks HmacSHA256
    }

    /** The key is the UTF-8 bytes of {@code key}. */
    public static Pseudonymiser of(String key) {
        return new Pseudonymiser(key == null ? null : key.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The key from, in this order: the environment variable {@link BorderflowConfig#PSEUDONYM_KEY_ENV}; the file
     * named by {@link BorderflowConfig#PSEUDONYM_KEY_FILE} (content trimmed); {@link BorderflowConfig#PSEUDONYM_KEY}.
     * A config key that is empty counts as unset; an environment variable that is set but empty is an error.
     *
     * @throws ConfigException (one line, how to fix) when there is no key, it cannot be read, or is too short
     */
    public static Pseudonymiser fromConfig(BorderflowConfig config, Map<String, String> env) {
        String fromEnv = env.get(BorderflowConfig.PSEUDONYM_KEY_ENV);
        if (fromEnv != null) {
            return checked(fromEnv.strip(), "environment variable " + BorderflowConfig.PSEUDONYM_KEY_ENV);
        }
        Optional<String> file = config.get(BorderflowConfig.PSEUDONYM_KEY_FILE).map(String::strip).filter(s -> !s.isEmpty());
        if (file.isPresent()) {
            String text;
            try {
                text = Files.readString(Path.of(file.get()), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                throw new ConfigException(BorderflowConfig.PSEUDONYM_KEY_FILE + ": cannot read '" + file.get() + "' ("
                        + e.getClass().getSimpleName() + ")");
            }
            return checked(text.strip(), BorderflowConfig.PSEUDONYM_KEY_FILE + " '" + file.get() + "'");
        }
        Optional<String> value = config.get(BorderflowConfig.PSEUDONYM_KEY).filter(s -> !s.isBlank());
        if (value.isPresent()) {
            return checked(value.get().strip(), BorderflowConfig.PSEUDONYM_KEY);
        }
        throw new ConfigException("no pseudonymisation key: " + HOW_TO);
    }

    private static Pseudonymiser checked(String key, String from) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_KEY_BYTES) {
            throw new ConfigException("pseudonymisation key from " + from + " is " + (bytes.length == 0 ? "empty"
                    : bytes.length + " bytes") + "; it must be at least " + MIN_KEY_BYTES + " bytes (e.g. the output of"
                    + " 'openssl rand -base64 32')");
        }
        return new Pseudonymiser(bytes);
    }

    @Override
    public String apply(String travellerId) {
        if (travellerId == null) {
            return null;
        }
        byte[] h = mac.get().doFinal(travellerId.getBytes(StandardCharsets.UTF_8));
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(h, 16));
    }

    private Mac newMac() {
        try {
            Mac m = Mac.getInstance(ALGORITHM);
            m.init(key);
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "Pseudonymiser[HMAC-SHA256]";
    }
}

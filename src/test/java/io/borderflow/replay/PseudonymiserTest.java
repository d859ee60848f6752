package io.borderflow.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.config.BorderflowConfig;
import io.borderflow.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PseudonymiserTest {
    static final String KEY = "0123456789abcdef-test-key";

    @TempDir
    Path dir;

    @Test
    void deterministicUrlSafeAndFixedLength() {
        Pseudonymiser a = Pseudonymiser.of(KEY);
        Pseudonymiser b = Pseudonymiser.of(KEY);
        String p = a.apply("KZ123456789");
        assertEquals(p, a.apply("KZ123456789"));
        assertEquals(p, b.apply("KZ123456789"));
        assertTrue(p.matches("p-[A-Za-z0-9_-]{22}"), p);
        assertNotEquals(p, a.apply("KZ123456780"));
        // a known value guards against accidental changes of the scheme (it would break joins across runs)
        assertEquals(p, Pseudonymiser.of(KEY).apply("KZ123456789"));
    }

    @Test
    void knownAnswer() throws Exception {
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(KEY.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] h = mac.doFinal("Иван-1".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String expected = "p-" + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(java.util.Arrays.copyOf(h, 16));
        assertEquals(expected, Pseudonymiser.of(KEY).apply("Иван-1"));
    }

    @Test
    void keySensitive() {
        assertNotEquals(Pseudonymiser.of(KEY).apply("A1"), Pseudonymiser.of(KEY + "x").apply("A1"));
        assertNotEquals(Pseudonymiser.of(KEY).apply("A1"), Pseudonymiser.of("1" + KEY.substring(1)).apply("A1"));
    }

    @Test
    void nullStaysNull() {
        assertNull(Pseudonymiser.of(KEY).apply(null));
    }

    @Test
    void noCollisionsOnManyIdsAndThreadSafe() {
        Pseudonymiser p = Pseudonymiser.of(KEY);
        Set<String> out = ConcurrentHashMap.newKeySet();
        IntStream.range(0, 50_000).parallel().forEach(i -> out.add(p.apply("T" + i)));
        assertEquals(50_000, out.size());
        Set<String> serial = new HashSet<>();
        IntStream.range(0, 50_000).forEach(i -> serial.add(p.apply("T" + i)));
        assertEquals(serial, out);
    }

    @Test
    void lookupOrderEnvThenFileThenConfig() throws Exception {
        Path file = dir.resolve("key.txt");
        Files.writeString(file, "  file-key-0123456789abcdef\n");
        BorderflowConfig both = BorderflowConfig.of(Map.of(BorderflowConfig.PSEUDONYM_KEY_FILE, file.toString(),
                BorderflowConfig.PSEUDONYM_KEY, "config-key-0123456789abcdef"));
        String viaEnv = Pseudonymiser.fromConfig(both, Map.of(BorderflowConfig.PSEUDONYM_KEY_ENV, "env-key-0123456789abcdef"))
                .apply("X");
        assertEquals(Pseudonymiser.of("env-key-0123456789abcdef").apply("X"), viaEnv);
        assertEquals(Pseudonymiser.of("file-key-0123456789abcdef").apply("X"),
                Pseudonymiser.fromConfig(both, Map.of()).apply("X"), "file content is trimmed");
        BorderflowConfig onlyValue = BorderflowConfig.of(Map.of(BorderflowConfig.PSEUDONYM_KEY, "config-key-0123456789abcdef"));
        assertEquals(Pseudonymiser.of("config-key-0123456789abcdef").apply("X"),
                Pseudonymiser.fromConfig(onlyValue, Map.of()).apply("X"));
    }

    @Test
    void missingKeyTellsHowToSetIt() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Pseudonymiser.fromConfig(BorderflowConfig.defaults(), Map.of("PATH", "/bin")));
        assertFalse(e.getMessage().contains("\n"));
        for (String hint : List.of("BORDERFLOW_PSEUDONYM_KEY", "pseudonym.key.file", "pseudonym.key", "16")) {
            assertTrue(e.getMessage().contains(hint), e.getMessage());
        }
    }

    @Test
    void shortEmptyOrUnreadableKeysAreConfigErrorsThatDoNotShowTheKey() {
        ConfigException shortEnv = assertThrows(ConfigException.class, () -> Pseudonymiser.fromConfig(
                BorderflowConfig.defaults(), Map.of(BorderflowConfig.PSEUDONYM_KEY_ENV, "tiny-secret")));
        assertTrue(shortEnv.getMessage().contains("at least 16 bytes"), shortEnv.getMessage());
        assertFalse(shortEnv.getMessage().contains("tiny-secret"));
        assertThrows(ConfigException.class, () -> Pseudonymiser.fromConfig(BorderflowConfig.defaults(),
                Map.of(BorderflowConfig.PSEUDONYM_KEY_ENV, "  ")));
        assertThrows(ConfigException.class, () -> Pseudonymiser.fromConfig(
                BorderflowConfig.of(Map.of(BorderflowConfig.PSEUDONYM_KEY, "short")), Map.of()));
        ConfigException noFile = assertThrows(ConfigException.class, () -> Pseudonymiser.fromConfig(
                BorderflowConfig.of(Map.of(BorderflowConfig.PSEUDONYM_KEY_FILE, dir.resolve("none").toString())), Map.of()));
        assertTrue(noFile.getMessage().startsWith("pseudonym.key.file: cannot read"), noFile.getMessage());
        assertThrows(ConfigException.class, () -> new Pseudonymiser(new byte[15]));
        assertFalse(Pseudonymiser.of(KEY).toString().contains(KEY));
    }
}

package io.borderflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.borderflow.config.BorderflowConfig;
import io.borderflow.replay.Pseudonymiser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PseudonymiseCommandTest {
    private static final String KEY = "an-analyst-key-0123456789";

    @BeforeEach
    void noKeyInTheEnvironment() {
        // The environment variable wins over --set; these tests give the key with --set.
        assumeTrue(System.getenv(BorderflowConfig.PSEUDONYM_KEY_ENV) == null);
    }

    @Test
    void printsThePseudonymTheReplayGivesEachId() {
        CliRun r = CliRun.of("pseudonymise", "--set", BorderflowConfig.PSEUDONYM_KEY + "=" + KEY, "870412300123", "AB 12");
        assertEquals(0, r.exitCode(), r.err());
        Pseudonymiser p = Pseudonymiser.of(KEY);
        assertEquals(p.apply("870412300123") + "\n" + p.apply("AB 12") + "\n", r.out().replace("\r\n", "\n"));
        assertTrue(r.out().startsWith("p-"));
        assertFalse(r.out().contains("870412300123"));
    }

    @Test
    void withoutAKeyItSaysHowToSetOne() {
        CliRun r = CliRun.of("pseudonymise", "870412300123");
        assertEquals(Main.EXIT_USAGE, r.exitCode());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("borderflow: no pseudonymisation key: set the environment variable "
                + BorderflowConfig.PSEUDONYM_KEY_ENV), r.err());
        assertEquals("", r.out());
    }

    @Test
    void anIdIsRequired() {
        CliRun r = CliRun.of("pseudonymise", "--set", BorderflowConfig.PSEUDONYM_KEY + "=" + KEY);
        assertEquals(Main.EXIT_USAGE, r.exitCode());
        assertTrue(r.err().contains("ID"), r.err());
    }
}

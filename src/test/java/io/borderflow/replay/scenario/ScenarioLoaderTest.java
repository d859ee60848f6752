package io.borderflow.replay.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.borderflow.config.ConfigException;
import io.borderflow.replay.CheckpointCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioLoaderTest {
    @TempDir
    Path dir;

    private static final String MINIMAL = """
            name: my-surge
            start: 2024-03-01
            end: 2024-03-02
            warmupDays: 0
            seed: 7
            segments:
              - name: visitors
                citizenship: {KG: 1}
                arrivals: {2024-03-01: 100, 2024-03-02: 300}
                checkpoints: {KORDAY: 1}
                profiles:
                  - name: day-trip
                    share: 1
                    stay: {dist: fixed, min: 0}
            """;

    @Test
    void builtInScenariosLoadAndResolveTheirCheckpoints() {
        for (String name : ScenarioLoader.BUILT_IN) {
            Scenario s = ScenarioLoader.builtIn(name);
            assertEquals(name, s.name());
            new ScenarioGenerator(s, CheckpointCatalog.builtIn()).close();
        }
        Scenario surge = ScenarioLoader.builtIn("sept-2022-surge");
        assertEquals(LocalDate.of(2022, 9, 1), surge.start());
        assertEquals(LocalDate.of(2023, 3, 31), surge.end());
        assertEquals(LocalDate.of(2023, 1, 27), surge.eaeuCapFrom());
    }

    @Test
    void aUserScenarioFileRunsWithItsOwnCurve() throws IOException {
        Path file = Files.writeString(dir.resolve("my.yaml"), MINIMAL);
        Scenario s = ScenarioLoader.load(file.toString());
        assertEquals(200, s.segments().get(0).arrivals().on(LocalDate.of(2024, 3, 1).plusDays(0)) + 100);
        java.util.List<org.apache.avro.specific.SpecificRecord> events = ScenarioGeneratorTest.events(s);
        long entries = events.stream().filter(e -> ((io.borderflow.avro.Crossing) e).getDirection()
                == io.borderflow.avro.Direction.ENTRY).count();
        // 100 + 300 day-trippers; a late one's exit can fall after midnight, past the range.
        assertEquals(400, entries);
        assertTrue(events.size() - entries > 390 && events.size() - entries <= 400, "exits: " + (events.size() - entries));
    }

    @Test
    void jsonScenarioFilesWorkToo() throws IOException {
        String json = """
                {"name":"j","start":"2024-03-01","end":"2024-03-01","seed":1,
                 "segments":[{"name":"s","citizenship":{"RU":1},"arrivals":10,"checkpoints":{"SYRYM":1},
                   "profiles":[{"name":"p","share":1,"stay":{"dist":"uniform","min":1,"max":3}}]}]}
                """;
        Path file = Files.writeString(dir.resolve("s.json"), json);
        assertEquals("j", ScenarioLoader.load(file.toString()).name());
    }

    @Test
    void errorsNameTheFileAndTheField() throws IOException {
        Path typo = Files.writeString(dir.resolve("typo.yaml"), MINIMAL.replace("warmupDays:", "warmupDay:"));
        ConfigException e = assertThrows(ConfigException.class, () -> ScenarioLoader.load(typo.toString()));
        assertTrue(e.getMessage().contains("typo.yaml") && e.getMessage().contains("warmupDay"), e.getMessage());

        Path missing = Files.writeString(dir.resolve("missing.yaml"), MINIMAL.replace("arrivals:", "arivals:"));
        e = assertThrows(ConfigException.class, () -> ScenarioLoader.load(missing.toString()));
        assertTrue(e.getMessage().contains("missing.yaml") && e.getMessage().contains("'arrivals' is required"), e.getMessage());

        Path badStay = Files.writeString(dir.resolve("stay.yaml"), MINIMAL.replace("dist: fixed", "dist: poisson"));
        e = assertThrows(ConfigException.class, () -> ScenarioLoader.load(badStay.toString()));
        assertTrue(e.getMessage().contains("unknown dist 'poisson'"), e.getMessage());

        Path badDate = Files.writeString(dir.resolve("date.yaml"), MINIMAL.replace("2024-03-02: 300", "2024-13-02: 300"));
        e = assertThrows(ConfigException.class, () -> ScenarioLoader.load(badDate.toString()));
        assertTrue(e.getMessage().contains("2024-13-02"), e.getMessage());

        Path unknownCheckpoint = Files.writeString(dir.resolve("cp.yaml"), MINIMAL.replace("KORDAY", "NOWHERE"));
        Scenario s = ScenarioLoader.load(unknownCheckpoint.toString());
        IllegalArgumentException iae = assertThrows(IllegalArgumentException.class,
                () -> new ScenarioGenerator(s, CheckpointCatalog.builtIn()));
        assertTrue(iae.getMessage().contains("unknown checkpoint 'NOWHERE'"), iae.getMessage());

        e = assertThrows(ConfigException.class, () -> ScenarioLoader.load("no-such-scenario"));
        assertTrue(e.getMessage().contains("sept-2022-surge"), e.getMessage());
    }
}

package io.borderflow.cli;

import io.borderflow.replay.Pacer;
import io.borderflow.replay.scenario.Scenario;
import io.borderflow.replay.scenario.ScenarioLoader;
import java.time.LocalDate;
import picocli.CommandLine.Option;

/** Which scenario to replay, over which days, and how fast: shared by {@code replay} and {@code demo}. */
public final class ScenarioOptions {
    @Option(names = "--scenario", paramLabel = "NAME|FILE", defaultValue = "sept-2022-surge",
            description = "Built-in scenario (sept-2022-surge, baseline) or a YAML/JSON scenario file. Default: ${DEFAULT-VALUE}.")
    String scenario;

    @Option(names = "--from", paramLabel = "YYYY-MM-DD", description = "First day (default: the scenario's).")
    LocalDate from;

    @Option(names = "--to", paramLabel = "YYYY-MM-DD", description = "Last day (default: the scenario's).")
    LocalDate to;

    @Option(names = "--seed", description = "Scenario seed (default: the scenario's). Same seed, same events.")
    Long seed;

    @Option(names = "--speed", defaultValue = "max", paramLabel = "max|N",
            description = "'max', or event-time seconds per wall second (3600 = an hour a second). Default: ${DEFAULT-VALUE}.")
    String speed;

    @Option(names = "--quiet", description = "No progress output.")
    boolean quiet;

    Scenario load() {
        Scenario s = ScenarioLoader.load(scenario).withRange(from, to);
        return seed == null ? s : s.withSeed(seed);
    }

    Pacer pacer() {
        return Pacer.parse(speed);
    }

    /** True when an option that only makes sense for a scenario was given. */
    boolean rangeOrSeedGiven() {
        return from != null || to != null || seed != null;
    }
}

package io.borderflow.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;

/**
 * What to measure and how often.
 *
 * @param from, to         days of the scenario (null: the scenario's own)
 * @param seed             scenario seed (null: the scenario's own)
 * @param scale            multiplies the scenario's travellers ({@link io.borderflow.replay.scenario.Scenario#withScale})
 * @param repetitions      measured repetitions of the throughput phases
 * @param warmup           repetitions run first and not counted
 * @param rate             input rate of the latency phase, events/s
 * @param latencyDuration  how long the latency phase produces (at most the whole input)
 * @param latencySamples   about how many stay-status samples the latency phase times
 * @param latencySettle    the first part of the latency phase, reported apart as well: the app has just started (as
 *                         long as the phase or longer: no figures without it)
 * @param timeout          give up when one phase takes longer
 */
public record BenchSettings(String scenario, LocalDate from, LocalDate to, Long seed, double scale, int repetitions,
                            int warmup, double rate, Duration latencyDuration, int latencySamples,
                            Duration latencySettle, boolean skipLatency,
                            Path outputDir, Duration timeout) {
    public BenchSettings {
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("--scale must be a positive number, got " + scale);
        }
        if (repetitions < 1) {
            throw new IllegalArgumentException("--repetitions must be at least 1, got " + repetitions);
        }
        if (warmup < 0) {
            throw new IllegalArgumentException("--warmup must not be negative, got " + warmup);
        }
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("--rate must be a positive number of events/s, got " + rate);
        }
        if (latencyDuration.isNegative() || latencyDuration.isZero()) {
            throw new IllegalArgumentException("--latency-duration must be positive, got " + latencyDuration);
        }
        if (latencySamples < 1) {
            throw new IllegalArgumentException("--latency-samples must be at least 1, got " + latencySamples);
        }
        if (latencySettle.isNegative()) {
            throw new IllegalArgumentException("--latency-settle must not be negative, got " + latencySettle);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("--timeout must be positive, got " + timeout);
        }
    }
}

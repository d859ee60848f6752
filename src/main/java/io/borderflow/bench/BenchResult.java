package io.borderflow.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Every figure of one benchmark run; written as JSON as it is (see {@link BenchReport}). */
public record BenchResult(String benchmark, String startedAt, List<String> command, Map<String, Object> machine,
                          Map<String, Object> jvm, Map<String, Object> settings, Map<String, Object> input,
                          Throughput throughput, Latency latency, Memory memory, State state,
                          Map<String, String> method, double wallSeconds) {

    /** Median and spread over the measured repetitions (warm-up excluded), with every value. */
    public record Spread(double median, double min, double max, List<Double> repetitions) {
        static Spread of(List<Double> values) {
            List<Double> sorted = new ArrayList<>(values);
            sorted.sort(null);
            int n = sorted.size();
            double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
            return new Spread(round(median), round(sorted.get(0)), round(sorted.get(n - 1)),
                    values.stream().map(BenchResult::round).toList());
        }
    }

    /**
     * Events/s of each phase, each from its first input record produced to its last output committed.
     *
     * @param ratioBorderflowToPassThrough median borderflow events/s over median pass-through events/s
     */
    public record Throughput(long events, Spread rawProduce, Spread rawPassThrough, Spread borderflow,
                             Spread borderflowSeconds, double ratioBorderflowToPassThrough) {
    }

    /**
     * @param peakHeapBytes   highest sum of the heap pools' peaks over a borderflow repetition (the JVM also holds
     *                        the broker and the producer)
     * @param heapAfterGcBytes heap in use after a full collection at the end of the last repetition, app still open
     * @param rssPeakScope    "borderflow repetition" when Linux let the peak be reset before it, else "process"
     */
    public record Memory(long peakHeapBytes, long heapAfterGcBytes, long maxHeapBytes, long rssPeakBytes,
                         String rssPeakScope) {
    }

    /**
     * The stream app's state after the last repetition, measured on disk once the app had closed (memtables
     * flushed), then again after a full compaction.
     *
     * @param trackedTravellers       entries of the stay-travellers store, counted one by one
     * @param trackedTravellersApprox RocksDB's estimate of the same (approximateNumEntries)
     */
    public record State(long rocksDbBytes, long stateDirBytes, Map<String, Long> storeBytes, long trackedTravellers,
                        long trackedTravellersApprox, Double rocksDbBytesPerTrackedTraveller,
                        Double travellerStoreBytesPerTrackedTraveller, Compacted compacted) {
    }

    /**
     * The same state once every RocksDB instance was compacted in full ({@link FullCompaction}): the live data, without
     * the overwritten and deleted keys that wait for a compaction at close.
     */
    public record Compacted(long rocksDbBytes, Map<String, Long> storeBytes, Double rocksDbBytesPerTrackedTraveller,
                            Double travellerStoreBytesPerTrackedTraveller) {
    }

    /**
     * Event-to-output latency at a fixed input rate (method: {@link LatencyProbe}).
     *
     * @param achievedRate events/s the paced producer really sent
     * @param netFlowViaLive, netFlowViaFinal how many net-flow samples were first seen on the live topic, and how
     *                        many on the final one (their window closed before a live update)
     * @param rateAboveThroughput the target rate is above the app's median throughput measured in the same run: the
     *                            latencies then include a backlog that grows while the input is produced
     * @param settleSeconds       the first seconds of sending, just after the app started
     * @param netFlowSettled, stayStatusSettled the same figures for the samples sent after those seconds
     * @param timeline            the same figures per second of sending: a tail that comes in bursts shows here
     */
    public record Latency(double targetRate, double achievedRate, long events, double seconds, LatencyFigures netFlow,
                          long netFlowViaLive, long netFlowViaFinal, LatencyFigures stayStatus,
                          boolean rateAboveThroughput, double settleSeconds, LatencyFigures netFlowSettled,
                          LatencyFigures stayStatusSettled, List<LatencySecond> timeline) {
    }

    /** The samples sent in one second of the latency phase, counted from its first send. */
    public record LatencySecond(long second, LatencyFigures netFlow, LatencyFigures stayStatus) {
    }

    /** Milliseconds; null when no sample matched. */
    public record LatencyFigures(long samples, long matched, Double p50Ms, Double p99Ms, Double maxMs) {
    }

    static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}

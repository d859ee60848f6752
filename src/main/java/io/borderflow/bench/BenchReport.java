package io.borderflow.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes a run's figures as JSON and as a markdown table. */
public final class BenchReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final double MIB = 1024.0 * 1024.0;

    private BenchReport() {
    }

    /** Writes {@code bench-<local time>.json} and {@code .md} into {@code dir}; returns both paths. */
    public static List<Path> write(BenchResult result, Path dir) throws IOException {
        Files.createDirectories(dir);
        String stem = "bench-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path json = dir.resolve(stem + ".json");
        Path md = dir.resolve(stem + ".md");
        JSON.writeValue(json.toFile(), result);
        Files.writeString(md, markdown(result), StandardCharsets.UTF_8);
        return List.of(json, md);
    }

    public static String markdown(BenchResult r) {
        StringBuilder b = new StringBuilder();
        Map<String, Object> s = r.settings();
        Map<String, Object> m = r.machine();
        b.append(String.format(Locale.ROOT, "### borderflow bench: %s %s to %s, scale %s, %,d events%n%n",
                s.get("scenario"), s.get("from"), s.get("to"), Bench.number(((Number) s.get("scale")).doubleValue()),
                r.throughput().events()));
        Object mem = m.get("memoryBytes");
        b.append(String.format(Locale.ROOT, "Machine: %s, %s cores%s; %s. Java %s (%s). JVM flags: %s.%n%n",
                m.get("cpu"), m.get("cores"),
                mem == null ? "" : String.format(Locale.ROOT, ", %.0f GiB RAM", ((Number) mem).doubleValue() / (MIB * 1024)),
                m.get("os"), r.jvm().get("javaVersion"), r.jvm().get("vm"),
                castList(r.jvm().get("inputArguments")).isEmpty() ? "none"
                        : "`" + String.join(" ", castList(r.jvm().get("inputArguments"))) + "`"));
        b.append(String.format(Locale.ROOT, "Command: `borderflow %s` (started %s, %s s in all); %s measured "
                        + "repetition(s) after %s warm-up, %s, %s stream thread(s) (as many pass-through loops).%n%n",
                String.join(" ", r.command()), r.startedAt(), Math.round(r.wallSeconds()), s.get("repetitions"),
                s.get("warmup"), s.get("processingGuarantee"), s.get("streamThreads")));

        BenchResult.Throughput t = r.throughput();
        b.append("| throughput (first input record to last output committed) | median | min | max |\n");
        b.append("|---|---:|---:|---:|\n");
        row(b, "raw produce, events/s", t.rawProduce(), "%,.0f");
        row(b, "raw pass-through (exactly-once), events/s", t.rawPassThrough(), "%,.0f");
        row(b, "borderflow end to end, events/s", t.borderflow(), "%,.0f");
        row(b, "borderflow end to end, s", t.borderflowSeconds(), "%,.1f");
        b.append(String.format(Locale.ROOT, "| borderflow / raw pass-through | %.2f | | |%n%n",
                t.ratioBorderflowToPassThrough()));

        BenchResult.Latency l = r.latency();
        if (l != null) {
            b.append(String.format(Locale.ROOT, "| latency at %,.0f events/s (achieved %,.0f, %,d events) | p50 ms | p99 ms"
                    + " | max ms | timed / samples |%n", l.targetRate(), l.achievedRate(), l.events()));
            b.append("|---|---:|---:|---:|---:|\n");
            latencyRow(b, String.format(Locale.ROOT, "produce to net-flow output (%d live, %d final)",
                    l.netFlowViaLive(), l.netFlowViaFinal()), l.netFlow());
            latencyRow(b, "produce to stay status", l.stayStatus());
            latencyRow(b, String.format(Locale.ROOT, "net-flow output, sent after the first %.0f s", l.settleSeconds()),
                    l.netFlowSettled());
            latencyRow(b, String.format(Locale.ROOT, "stay status, sent after the first %.0f s", l.settleSeconds()),
                    l.stayStatusSettled());
            b.append('\n');
            if (l.rateAboveThroughput()) {
                b.append("The latency rate is above borderflow's measured throughput: these latencies include a backlog"
                        + " that grows while the input is produced.\n\n");
            }
        }

        BenchResult.Memory mm = r.memory();
        BenchResult.State st = r.state();
        b.append("| memory and state (last repetition) | |\n|---|---:|\n");
        b.append(String.format(Locale.ROOT, "| peak heap (JVM with broker and app) | %,.0f MiB of %,.0f MiB max |%n",
                mm.peakHeapBytes() / MIB, mm.maxHeapBytes() / MIB));
        b.append(String.format(Locale.ROOT, "| heap after full GC, end of run | %,.0f MiB |%n", mm.heapAfterGcBytes() / MIB));
        b.append(String.format(Locale.ROOT, "| peak RSS (%s) | %,.0f MiB |%n", mm.rssPeakScope(), mm.rssPeakBytes() / MIB));
        b.append(String.format(Locale.ROOT, "| RocksDB on disk | %,.1f MiB |%n", st.rocksDbBytes() / MIB));
        b.append(String.format(Locale.ROOT, "| tracked travellers (RocksDB estimate) | %,d (%,d) |%n",
                st.trackedTravellers(), st.trackedTravellersApprox()));
        b.append(String.format(Locale.ROOT, "| bytes per tracked traveller: all RocksDB state | %s |%n",
                fixed(st.rocksDbBytesPerTrackedTraveller())));
        b.append(String.format(Locale.ROOT, "| bytes per tracked traveller: stay-travellers store | %s |%n",
                fixed(st.travellerStoreBytesPerTrackedTraveller())));
        BenchResult.Compacted c = st.compacted();
        b.append(String.format(Locale.ROOT, "| after a full compaction: RocksDB; bytes per tracked traveller (stay-travellers)"
                        + " | %,.1f MiB; %s (%s) |%n", c.rocksDbBytes() / MIB, fixed(c.rocksDbBytesPerTrackedTraveller()),
                fixed(c.travellerStoreBytesPerTrackedTraveller())));
        return b.toString();
    }

    private static void row(StringBuilder b, String name, BenchResult.Spread s, String fmt) {
        b.append("| ").append(name).append(" | ").append(String.format(Locale.ROOT, fmt, s.median())).append(" | ")
                .append(String.format(Locale.ROOT, fmt, s.min())).append(" | ")
                .append(String.format(Locale.ROOT, fmt, s.max())).append(" |\n");
    }

    private static void latencyRow(StringBuilder b, String name, BenchResult.LatencyFigures f) {
        b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %,d / %,d |%n", name, fixed(f.p50Ms()),
                fixed(f.p99Ms()), fixed(f.maxMs()), f.matched(), f.samples()));
    }

    private static String fixed(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%,.1f", v);
    }

    @SuppressWarnings("unchecked")
    private static List<String> castList(Object o) {
        return o instanceof List<?> l ? (List<String>) l : List.of();
    }
}

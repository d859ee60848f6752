package io.borderflow.serde;

import io.borderflow.avro.Alert;
import io.borderflow.avro.AlertState;
import io.borderflow.avro.ArrivalCohort;
import io.borderflow.avro.Checkpoint;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.DailyCount;
import io.borderflow.avro.DeadLetter;
import io.borderflow.avro.FlowDelta;
import io.borderflow.avro.PresentStock;
import io.borderflow.avro.Direction;
import io.borderflow.avro.FlowDimension;
import io.borderflow.avro.IinApplication;
import io.borderflow.avro.IinStage;
import io.borderflow.avro.Mode;
import io.borderflow.avro.NetFlowWindow;
import io.borderflow.avro.Registration;
import io.borderflow.avro.RegistrationKind;
import io.borderflow.avro.Severity;
import io.borderflow.avro.StayState;
import io.borderflow.avro.StayStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/** Realistic records of every type: one with every optional field set, one with all of them null. */
final class RecordSamples {
    private RecordSamples() {
    }

    static final String TRAVELLER = "tr-5f1c9a7e2b";
    static final Instant T = Instant.parse("2025-03-14T06:12:45.123Z");

    static Map<Class<? extends SpecificRecord>, List<SpecificRecord>> all() {
        Map<Class<? extends SpecificRecord>, List<SpecificRecord>> all = new java.util.HashMap<>(first());
        all.put(FlowDelta.class, List.of(
                new FlowDelta(12L, 3L, null),
                new FlowDelta(1L, 0L, new Crossing("evt-000009", TRAVELLER, "KG", Direction.ENTRY, "KORDAY", "Zhambyl",
                        Mode.PEDESTRIAN, T))));
        all.put(ArrivalCohort.class, List.of(
                new ArrivalCohort(LocalDate.of(2022, 9, 19), "RU", 98_000L, 61_200L, 40_300L, 2_100L, 98_000L, 52_000L,
                        61_000L, 30_500L, 0L, 0L, 71_000L, 9_800L, T),
                new ArrivalCohort(LocalDate.of(2022, 9, 26), "Қазақстан-ÜZ", 1L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L,
                        0L, 0L, Instant.EPOCH)));
        return all;
    }

    private static Map<Class<? extends SpecificRecord>, List<SpecificRecord>> first() {
        return Map.of(
                Crossing.class, List.of(
                        new Crossing("evt-000001", TRAVELLER, "RU", Direction.ENTRY, "KZ-ALA-ROAD-01",
                                "Almaty", Mode.ROAD, T),
                        new Crossing("evt-000002", null, "Қазақстан-ÜZ", Direction.EXIT, "KZ-NQZ-AIR-01",
                                null, null, Instant.EPOCH)),
                Registration.class, List.of(
                        new Registration("evt-r-1", TRAVELLER, RegistrationKind.TEMPORARY_RESIDENCE_PERMIT,
                                LocalDate.of(2025, 3, 15), LocalDate.of(2026, 3, 14), "Astana", T),
                        new Registration("evt-r-2", TRAVELLER, RegistrationKind.PERMANENT_RESIDENCE,
                                LocalDate.of(1969, 12, 31), null, null, T.plusMillis(1))),
                IinApplication.class, List.of(
                        new IinApplication("evt-i-1", TRAVELLER, "UZ", "Shymkent", IinStage.APPLIED, T),
                        new IinApplication("evt-i-2", TRAVELLER, "UZ", null, IinStage.ISSUED, T)),
                Checkpoint.class, List.of(
                        new Checkpoint("KZ-ALA-ROAD-01", "Khorgos", "Almaty", Mode.ROAD, "CN-HRG-ROAD-01"),
                        new Checkpoint("KZ-NQZ-AIR-01", "Astana Nursultan Nazarbayev Intl", "Astana",
                                Mode.AIR, null)),
                NetFlowWindow.class, List.of(
                        new NetFlowWindow(FlowDimension.CHECKPOINT, "KZ-ALA-ROAD-01", "1h",
                                Instant.parse("2025-03-14T06:00:00Z"), Instant.parse("2025-03-14T07:00:00Z"),
                                1_234L, 1_300L, -66L, false, 0),
                        new NetFlowWindow(FlowDimension.NATIONAL, "KZ", "7d",
                                Instant.parse("2025-03-10T00:00:00Z"), Instant.parse("2025-03-17T00:00:00Z"),
                                Long.MAX_VALUE, 0L, Long.MAX_VALUE, true, 3)),
                StayStatus.class, List.of(
                        new StayStatus(TRAVELLER, StayState.WARNING, "kz-eaeu-2023", LocalDate.of(2025, 6, 1),
                                80, 10, 0, LocalDate.of(2025, 6, 11), T),
                        new StayStatus(TRAVELLER, StayState.EXEMPT, "kz-eaeu-2023", LocalDate.of(2025, 6, 1),
                                0, Integer.MAX_VALUE, 0, null, T)),
                Alert.class, List.of(
                        new Alert("al-1", "net-outflow", Severity.CRITICAL, AlertState.RESOLVED, "REGION",
                                "Almaty", "1h", Instant.parse("2025-03-14T06:00:00Z"),
                                Instant.parse("2025-03-14T07:00:00Z"), -512.5, -500.0, T,
                                T.plusSeconds(3600), "net outflow -512.5 below -500"),
                        new Alert("al-2", "lag", Severity.INFO, AlertState.RAISED, "NATIONAL", "KZ",
                                null, null, null, Double.MIN_VALUE, -0.0, T, null, "")),
                DeadLetter.class, List.of(
                        new DeadLetter("border.crossings.v1", 3, 1_000_000_007L,
                                ByteBuffer.wrap(TRAVELLER.getBytes(StandardCharsets.UTF_8)),
                                ByteBuffer.wrap(new byte[] {(byte) 0xC3, 0x01, 0, -1, 127}),
                                "DESERIALIZATION", "border.crossings.v1: too short", T,
                                "org.apache.kafka.common.errors.SerializationException"),
                        new DeadLetter("border.crossings.v1", 0, 0L, null, null, "DUPLICATE", null, T, null)),
                DailyCount.class, List.of(
                        new DailyCount("iin.APPLIED", "region+citizenship", "Almaty|RU", LocalDate.of(2022, 9, 23), 13_000L, true)),
                PresentStock.class, List.of(
                        new PresentStock("citizenship", "RU", -4_200L, T)));
    }
}

package io.borderflow.config;

import io.borderflow.avro.Alert;
import io.borderflow.avro.ArrivalCohort;
import io.borderflow.avro.Checkpoint;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.DailyCount;
import io.borderflow.avro.DeadLetter;
import io.borderflow.avro.PresentStock;
import io.borderflow.avro.IinApplication;
import io.borderflow.avro.NetFlowWindow;
import io.borderflow.avro.Registration;
import io.borderflow.avro.StayStatus;
import java.util.List;
import java.util.Map;

/**
 * Every topic borderflow reads or writes, declared once. A name carries its schema version:
 * an incompatible change gets a new topic, never a rewrite of an old one.
 *
 * <p>Input topics are keyed by traveller so the per-traveller topology needs no repartition.
 */
public final class Topics {
    private Topics() {
    }

    public static final TopicSpec CROSSINGS = new TopicSpec("border.crossings.v1", 0, Map.of(),
            Crossing.class, "crossings (ENTRY/EXIT), key = traveller id");
    public static final TopicSpec REGISTRATIONS = new TopicSpec("border.registrations.v1", 0, Map.of(),
            Registration.class, "host notifications and residence permits, key = traveller id");
    public static final TopicSpec IIN_APPLICATIONS = new TopicSpec("border.iin-applications.v1", 0, Map.of(),
            IinApplication.class, "IIN applications and issuance, key = traveller id");
    public static final TopicSpec CHECKPOINTS = new TopicSpec("border.checkpoints.v1", 1,
            Map.of("cleanup.policy", "compact"),
            Checkpoint.class, "checkpoint reference data (compacted), key = checkpoint id");
    public static final TopicSpec NET_FLOWS = new TopicSpec("border.net-flows.v1", 0, Map.of(),
            NetFlowWindow.class, "windowed entries/exits/net per dimension");
    public static final TopicSpec NET_FLOWS_LIVE = new TopicSpec("border.net-flows-live.v1", 0,
            Map.of("cleanup.policy", "compact"),
            NetFlowWindow.class, "running window counts for dashboards (compacted: latest per window and key)");
    public static final TopicSpec NET_FLOW_CORRECTIONS = new TopicSpec("border.net-flow-corrections.v1", 0, Map.of(),
            NetFlowWindow.class, "restated final windows after late events (revision 1, 2, ...)");
    public static final TopicSpec LATE_EVENTS = new TopicSpec("border.late-events.v1", 0, Map.of(),
            DeadLetter.class, "crossings that arrived after their window closed, with the reason");
    public static final TopicSpec DATA_QUALITY = new TopicSpec("border.data-quality.v1", 0, Map.of(),
            DeadLetter.class, "records that were used but need a look (e.g. unknown checkpoint), with the reason");
    public static final TopicSpec PRESENT_STOCK = new TopicSpec("border.present-stock.v1", 0, Map.of(),
            PresentStock.class, "cumulative entries minus exits per citizenship and region");
    public static final TopicSpec DAILY_COUNTS = new TopicSpec("border.daily-counts.v1", 0, Map.of(),
            DailyCount.class, "IIN applications and registrations per local day and dimension");
    public static final TopicSpec STAY_STATUS = new TopicSpec("border.stay-status.v1", 0, Map.of(),
            StayStatus.class, "per-traveller stay compliance, key = traveller id");
    public static final TopicSpec COHORTS = new TopicSpec("border.cohorts.v1", 0, Map.of("cleanup.policy", "compact"),
            ArrivalCohort.class, "arrival cohorts, who stayed (compacted: latest row), key = week|citizenship");
    public static final TopicSpec ALERTS = new TopicSpec("border.alerts.v1", 0, Map.of(),
            Alert.class, "alerts raised and resolved");
    public static final TopicSpec DEAD_LETTERS = new TopicSpec("border.dead-letters.v1", 0, Map.of(),
            DeadLetter.class, "records that could not be used, with the reason");

    /** The topics a replay writes. */
    public static final List<TopicSpec> REPLAY = List.of(CROSSINGS, REGISTRATIONS, IIN_APPLICATIONS, CHECKPOINTS);

    public static final List<TopicSpec> ALL = List.of(CROSSINGS, REGISTRATIONS, IIN_APPLICATIONS, CHECKPOINTS,
            NET_FLOWS, NET_FLOWS_LIVE, NET_FLOW_CORRECTIONS, LATE_EVENTS, PRESENT_STOCK, DAILY_COUNTS,
            STAY_STATUS, COHORTS, ALERTS, DEAD_LETTERS, DATA_QUALITY);
}

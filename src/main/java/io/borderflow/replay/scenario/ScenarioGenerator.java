package io.borderflow.replay.scenario;

import io.borderflow.avro.Checkpoint;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.IinApplication;
import io.borderflow.avro.IinStage;
import io.borderflow.avro.Mode;
import io.borderflow.avro.Registration;
import io.borderflow.avro.RegistrationKind;
import io.borderflow.replay.CheckpointCatalog;
import io.borderflow.replay.EventSource;
import io.borderflow.replay.Events;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.avro.specific.SpecificRecord;

/**
 * Plays a {@link Scenario} forward one local day at a time and yields its events in event-time
 * order. Each arriving traveller's whole plan (entry, registrations, IIN application, visa runs,
 * permit, exit) is drawn on arrival and queued; IIN issuance is the exception, since it depends
 * on the backlog of everyone's applications and is decided day by day.
 *
 * <p>Deterministic: the same scenario (including its seed) yields the same events, because every
 * draw comes from one {@link SplittableRandom} consumed in a fixed order.
 */
public final class ScenarioGenerator implements EventSource {
    private static final long DAY_MS = 86_400_000L;
    private static final int EAEU_STAY_LIMIT = 90;
    private static final int VISA_FREE_STAY_LIMIT = 30;

    private final Scenario scenario;
    private final ZoneId zone;
    private final SplittableRandom random;
    private final long idSalt;
    private final List<SegmentPlan> segments;
    private final Set<String> eaeu;
    private final PriorityQueue<Pending> queue = new PriorityQueue<>();
    private final ArrayDeque<Application> iinBacklog = new ArrayDeque<>();
    private final long emitFromMs;
    private final LocalDate lastDay;
    private LocalDate day;
    private long dayStartMs;
    private long dayEndMs;
    private long sequence;
    private long travellerCounter;

    public ScenarioGenerator(Scenario scenario, CheckpointCatalog catalog) {
        this.scenario = scenario;
        this.zone = scenario.zone();
        this.random = new SplittableRandom(scenario.seed());
        this.idSalt = mix64(scenario.seed() ^ 0x5DEECE66DL);
        this.eaeu = new HashSet<>(scenario.eaeu());
        this.segments = scenario.segments().stream().map(s -> new SegmentPlan(s, catalog)).toList();
        this.emitFromMs = startOf(scenario.start());
        this.lastDay = scenario.end();
        this.day = scenario.start().minusDays(scenario.warmupDays() + 1L);
        this.dayEndMs = startOf(day.plusDays(1));
    }

    public Scenario scenario() {
        return scenario;
    }

    @Override
    public SpecificRecord next() {
        while (true) {
            Pending head = queue.peek();
            if (head != null && head.timeMs < dayEndMs) {
                queue.poll();
                if (head.event instanceof IinApplication a && a.getStage() == IinStage.APPLIED) {
                    iinBacklog.add(new Application(a, dayOf(head.timeMs).plusDays(scenario.iinIssuance().minDays())));
                }
                if (head.timeMs >= emitFromMs) {
                    return head.event;
                }
                continue;
            }
            if (!day.isBefore(lastDay)) {
                return null;
            }
            advanceDay();
        }
    }

    @Override
    public void close() {
        queue.clear();
        iinBacklog.clear();
    }

    private void advanceDay() {
        day = day.plusDays(1);
        dayStartMs = dayEndMs;
        dayEndMs = startOf(day.plusDays(1));
        issueIins();
        for (SegmentPlan segment : segments) {
            int arrivals = drawCount(segment.segment.arrivals().on(day));
            for (int i = 0; i < arrivals; i++) {
                planTraveller(segment);
            }
            int departures = drawCount(segment.segment.departures().on(day));
            for (int i = 0; i < departures; i++) {
                String traveller = nextTravellerId();
                String citizenship = segment.citizenship.draw(random);
                schedule(crossing(traveller, citizenship, Direction.EXIT, segment.checkpoints.draw(random),
                        randomTimeOn(0)));
            }
        }
    }

    /** Issues today's IINs first come, first served, up to the day's capacity. */
    private void issueIins() {
        Scenario.IinIssuance rules = scenario.iinIssuance();
        double capacity = rules.capacity() == null ? Double.MAX_VALUE : drawCount(rules.capacity().on(day));
        int issued = 0;
        while (!iinBacklog.isEmpty() && issued < capacity) {
            Application next = iinBacklog.peek();
            if (next.earliest.isAfter(day)) {
                break;
            }
            iinBacklog.poll();
            // Without a backlog, issue somewhere between the minimum and maximum delay.
            int spread = rules.maxDays() - rules.minDays();
            LocalDate when = day;
            if (rules.capacity() == null && spread > 0) {
                when = day.plusDays(random.nextInt(spread + 1));
            }
            IinApplication a = next.application;
            long time = officeTime(when);
            schedule(new IinApplication(a.getEventId() + "-i", a.getTravellerId(), a.getCitizenship(), a.getRegion(),
                    IinStage.ISSUED, Instant.ofEpochMilli(time)));
            issued++;
        }
    }

    private void planTraveller(SegmentPlan segment) {
        String traveller = nextTravellerId();
        String citizenship = segment.citizenship.draw(random);
        Profile profile = segment.profiles.draw(random);
        boolean isEaeu = eaeu.contains(citizenship);
        int limit = isEaeu ? EAEU_STAY_LIMIT : VISA_FREE_STAY_LIMIT;
        String destination = segment.destinations == null ? null : segment.destinations.draw(random);

        long entryTime = randomTimeOn(0);
        LocalDate entryDay = day;
        Checkpoint entryCheckpoint = segment.checkpoints.draw(random);
        schedule(crossing(traveller, citizenship, Direction.ENTRY, entryCheckpoint, entryTime));
        String region = destination != null ? destination : entryCheckpoint.getRegion();

        int stay = profile.stay().draw(random);
        boolean permit = stay >= limit && random.nextDouble() < profile.residencePermitShare();
        boolean overstay = !permit && stay >= limit && random.nextDouble() < profile.overstayShare();
        boolean visaRuns = !permit && !overstay && stay >= limit && isEaeu
                && random.nextDouble() < profile.visaRunShare();
        boolean iin = random.nextDouble() < profile.iinShare();
        boolean host = stay >= 3 && random.nextDouble() < profile.hostNotificationShare();
        boolean permanent = permit && random.nextDouble() < profile.permanentShare();

        if (host) {
            // Hosts notify within 3 business days; a calendar 0-4 days approximates it.
            long t = officeTimeAfter(entryDay.plusDays(random.nextInt(5)), entryTime);
            schedule(new Registration(nextEventId(), traveller, RegistrationKind.HOST_NOTIFICATION, entryDay,
                    entryDay.plusDays(Math.min(stay, limit - 1)), region, Instant.ofEpochMilli(t)));
        }
        if (iin) {
            int after = Math.min(stay, random.nextInt(4));
            long t = officeTimeAfter(entryDay.plusDays(after), entryTime);
            schedule(new IinApplication(nextEventId(), traveller, citizenship, region, IinStage.APPLIED,
                    Instant.ofEpochMilli(t)));
        }
        if (permit) {
            int grantedAfter = 20 + random.nextInt(Math.max(1, limit - 30));
            LocalDate from = entryDay.plusDays(grantedAfter);
            schedule(new Registration(nextEventId(), traveller, RegistrationKind.TEMPORARY_RESIDENCE_PERMIT, from,
                    from.plusYears(1).minusDays(1), region, Instant.ofEpochMilli(officeTime(from))));
            if (permanent) {
                LocalDate granted = from.plusDays(180 + random.nextInt(180));
                schedule(new Registration(nextEventId(), traveller, RegistrationKind.PERMANENT_RESIDENCE, granted,
                        null, region, Instant.ofEpochMilli(officeTime(granted))));
            }
        }
        if (!permit && !overstay && stay >= limit) {
            if (visaRuns) {
                stay = planVisaRuns(segment, traveller, citizenship, entryDay, stay, limit);
            } else {
                // Leaves in time, a few days before the limit.
                stay = limit - 1 - random.nextInt(6);
            }
        }
        long exitTime = dayStart(entryDay.plusDays(stay)) + random.nextLong(DAY_MS);
        exitTime = Math.max(exitTime, entryTime + 60_000);
        Checkpoint exitCheckpoint = profile.exitCheckpoints().isEmpty()
                ? segment.checkpoints.draw(random)
                : segment.exitMix(profile).draw(random);
        schedule(crossing(traveller, citizenship, Direction.EXIT, exitCheckpoint, exitTime));
    }

    /**
     * Leave near day 85-89, come back 1-3 days later, while re-entry still resets the count
     * (before the EAEU cap). Returns the day, counted from the first entry, of the final exit.
     */
    private int planVisaRuns(SegmentPlan segment, String traveller, String citizenship, LocalDate firstEntry,
                             int plannedStay, int limit) {
        int legStart = 0;
        while (plannedStay - legStart >= limit) {
            int out = legStart + limit - 5 - random.nextInt(5);
            int back = out + 1 + random.nextInt(3);
            LocalDate backDay = firstEntry.plusDays(back);
            if (!backDay.isBefore(scenario.eaeuCapFrom())) {
                // From the cap on, a run no longer buys another 90 days: this exit is the last.
                return out;
            }
            Checkpoint land = segment.landCheckpoints.draw(random);
            long outTime = dayStart(firstEntry.plusDays(out)) + random.nextLong(DAY_MS);
            long backTime = dayStart(backDay) + random.nextLong(DAY_MS);
            schedule(crossing(traveller, citizenship, Direction.EXIT, land, outTime));
            schedule(crossing(traveller, citizenship, Direction.ENTRY, land, backTime));
            legStart = back;
        }
        return plannedStay;
    }

    private Crossing crossing(String traveller, String citizenship, Direction direction, Checkpoint checkpoint,
                              long timeMs) {
        Mode mode = checkpoint.getMode();
        if (mode == Mode.ROAD && random.nextDouble() < scenario.pedestrianShare()) {
            mode = Mode.PEDESTRIAN;
        }
        return new Crossing(nextEventId(), traveller, citizenship, direction, checkpoint.getId(),
                checkpoint.getRegion(), mode, Instant.ofEpochMilli(timeMs));
    }

    private void schedule(SpecificRecord event) {
        long t = Events.time(event).toEpochMilli();
        sequence++;
        // Warm-up events are never emitted; only IIN applications matter, as they fill the backlog.
        if (t < emitFromMs && !(event instanceof IinApplication a && a.getStage() == IinStage.APPLIED)) {
            return;
        }
        queue.add(new Pending(t, sequence, event));
    }

    private int drawCount(double expected) {
        int whole = (int) expected;
        return whole + (random.nextDouble() < expected - whole ? 1 : 0);
    }

    private long randomTimeOn(int dayOffset) {
        return dayStart(day.plusDays(dayOffset)) + random.nextLong(DAY_MS);
    }

    /** A time in office hours (09:00-18:00 local) on the given day. */
    private long officeTime(LocalDate d) {
        return dayStart(d) + 9 * 3_600_000L + random.nextLong(9 * 3_600_000L);
    }

    /** Office time on that day, or, when the traveller only arrives later that day, within the hour after. */
    private long officeTimeAfter(LocalDate d, long notBefore) {
        long t = officeTime(d);
        return t > notBefore ? t : notBefore + 60_000 + random.nextLong(3_600_000L);
    }

    private long dayStart(LocalDate d) {
        return d.equals(day) ? dayStartMs : startOf(d);
    }

    private long startOf(LocalDate d) {
        return d.atStartOfDay(zone).toInstant().toEpochMilli();
    }

    private LocalDate dayOf(long timeMs) {
        return Instant.ofEpochMilli(timeMs).atZone(zone).toLocalDate();
    }

    private String nextTravellerId() {
        return "t" + hex16(mix64(idSalt + ++travellerCounter));
    }

    private String nextEventId() {
        return "e" + hex16(mix64(~idSalt + sequence + 0x9E3779B97F4A7C15L * (travellerCounter + 1)))
                + Long.toString(sequence, 36);
    }

    private static String hex16(long v) {
        String h = Long.toHexString(v);
        return "0".repeat(16 - h.length()) + h;
    }

    /** splitmix64's finaliser: a bijection, so distinct counters give distinct ids. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private record Pending(long timeMs, long seq, SpecificRecord event) implements Comparable<Pending> {
        @Override
        public int compareTo(Pending o) {
            int c = Long.compare(timeMs, o.timeMs);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private record Application(IinApplication application, LocalDate earliest) {
    }

    /** A segment with its mixes resolved against the checkpoint catalog. */
    private static final class SegmentPlan {
        final Segment segment;
        final WeightedChoice<String> citizenship;
        final WeightedChoice<Checkpoint> checkpoints;
        final WeightedChoice<Checkpoint> landCheckpoints;
        final WeightedChoice<String> destinations;
        final WeightedChoice<Profile> profiles;
        final Map<Profile, WeightedChoice<Checkpoint>> exitMixes = new java.util.IdentityHashMap<>();
        final CheckpointCatalog catalog;

        SegmentPlan(Segment segment, CheckpointCatalog catalog) {
            this.segment = segment;
            this.catalog = catalog;
            this.citizenship = WeightedChoice.of(segment.citizenship(), c -> c, "segment " + segment.name() + " citizenship");
            this.checkpoints = checkpointMix(segment.checkpoints(), "segment " + segment.name() + " checkpoints");
            Map<String, Double> land = new java.util.TreeMap<>();
            segment.checkpoints().forEach((id, w) -> {
                if (checkpoint(id, "segment " + segment.name()).getMode() != Mode.AIR) {
                    land.put(id, w);
                }
            });
            this.landCheckpoints = land.isEmpty() ? checkpoints : checkpointMix(land, "segment " + segment.name());
            this.destinations = segment.destinations().isEmpty() ? null
                    : WeightedChoice.of(segment.destinations(), d -> d, "segment " + segment.name() + " destinations");
            Map<Profile, Double> weights = new java.util.LinkedHashMap<>();
            segment.profiles().forEach(p -> weights.put(p, p.share()));
            this.profiles = WeightedChoice.of(weights, p -> p, "segment " + segment.name() + " profiles");
            segment.profiles().forEach(p -> {
                if (!p.exitCheckpoints().isEmpty()) {
                    exitMixes.put(p, checkpointMix(p.exitCheckpoints(), "profile " + p.name() + " exitCheckpoints"));
                }
            });
        }

        WeightedChoice<Checkpoint> exitMix(Profile p) {
            return exitMixes.get(p);
        }

        private WeightedChoice<Checkpoint> checkpointMix(Map<String, Double> mix, String where) {
            return WeightedChoice.of(mix, id -> checkpoint(id, where), where);
        }

        private Checkpoint checkpoint(String id, String where) {
            return catalog.find(id).orElseThrow(() -> new IllegalArgumentException(
                    where + ": unknown checkpoint '" + id + "' (not in the checkpoints reference data)"));
        }
    }
}

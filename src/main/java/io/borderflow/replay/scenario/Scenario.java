package io.borderflow.replay.scenario;

import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;

/**
 * A traveller-level model of border traffic over a date range: the same thing whether built in
 * ({@code sept-2022-surge}, {@code baseline}) or written by a user to model another surge.
 *
 * @param warmupDays       days simulated before {@code start} and not emitted, so the replay opens
 *                         with people already inside (their exits appear without entries)
 * @param eaeuCapFrom      first day of the 90-in-180 cap for EAEU citizens (27 Jan 2023): visa runs
 *                         stop working from then on
 * @param pedestrianShare  share of crossings at road checkpoints made on foot
 * @param iinIssuance      how quickly IIN applications turn into issued numbers
 */
public record Scenario(String name, String description, ZoneId zone, LocalDate start, LocalDate end,
                       int warmupDays, long seed, LocalDate eaeuCapFrom, List<String> eaeu,
                       double pedestrianShare, IinIssuance iinIssuance, List<Segment> segments) {
    public Scenario {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("scenario: 'name' is required");
        }
        if (start == null || end == null || end.isBefore(start)) {
            throw new IllegalArgumentException("scenario " + name + ": 'start' and 'end' are required, end not before start");
        }
        if (warmupDays < 0) {
            throw new IllegalArgumentException("scenario " + name + ": 'warmupDays' must be >= 0");
        }
        if (segments == null || segments.isEmpty()) {
            throw new IllegalArgumentException("scenario " + name + ": at least one segment is required");
        }
        zone = zone == null ? ZoneId.of("Asia/Almaty") : zone;
        eaeuCapFrom = eaeuCapFrom == null ? LocalDate.of(2023, 1, 27) : eaeuCapFrom;
        eaeu = eaeu == null ? List.of("RU", "BY", "AM", "KG") : List.copyOf(eaeu);
        iinIssuance = iinIssuance == null ? new IinIssuance(2, 5, null) : iinIssuance;
        segments = List.copyOf(segments);
    }

    /** The same scenario over another date range (and seed). */
    public Scenario withRange(LocalDate from, LocalDate to) {
        return new Scenario(name, description, zone, from == null ? start : from, to == null ? end : to,
                warmupDays, seed, eaeuCapFrom, eaeu, pedestrianShare, iinIssuance, segments);
    }

    public Scenario withSeed(long newSeed) {
        return new Scenario(name, description, zone, start, end, warmupDays, newSeed, eaeuCapFrom, eaeu,
                pedestrianShare, iinIssuance, segments);
    }

    /**
     * The same scenario with {@code factor} times the travellers, for load tests beyond the modelled volumes:
     * every segment's arrivals and departures, and the IIN issuance capacity, multiplied; who the travellers
     * are and what they do (mixes, profiles, stays) unchanged. Traveller ids stay distinct.
     */
    public Scenario withScale(double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("scale must be a positive number, got " + factor);
        }
        if (factor == 1) {
            return this;
        }
        List<Segment> scaled = segments.stream().map(s -> new Segment(s.name(), s.citizenship(),
                s.arrivals().times(factor), s.departures().times(factor), s.checkpoints(), s.destinations(),
                s.profiles())).toList();
        IinIssuance iin = new IinIssuance(iinIssuance.minDays(), iinIssuance.maxDays(),
                iinIssuance.capacity() == null ? null : iinIssuance.capacity().times(factor));
        return new Scenario(name, description, zone, start, end, warmupDays, seed, eaeuCapFrom, eaeu,
                pedestrianShare, iin, scaled);
    }

    /**
     * @param minDays  earliest issue, days after the application
     * @param maxDays  latest issue when there is no backlog
     * @param capacity numbers issued per day at most (null = unlimited); applications wait in a
     *                 first-come queue, which is how the autumn 2022 backlog built up
     */
    public record IinIssuance(int minDays, int maxDays, Curve capacity) {
        public IinIssuance {
            if (minDays < 0 || maxDays < minDays) {
                throw new IllegalArgumentException("iinIssuance: needs 0 <= minDays <= maxDays");
            }
        }
    }
}

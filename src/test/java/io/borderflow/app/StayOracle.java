package io.borderflow.app;

import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.Registration;
import io.borderflow.avro.RegistrationKind;
import io.borderflow.stay.CitizenshipClass;
import io.borderflow.stay.NoRuleInForceException;
import io.borderflow.stay.PermitPeriod;
import io.borderflow.stay.Stay;
import io.borderflow.stay.StayCalculator;
import io.borderflow.stay.StayRules;
import io.borderflow.stay.StayStatus;
import io.borderflow.stay.TravelHistory;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * The stay rules engine applied to each traveller's whole history, computed straight from the
 * replayed events, for comparing with the streaming topology's last status per traveller. Only
 * travellers whose crossings in the data form a clean history (entry first, then alternating) are
 * judged here; the others go through the topology's documented data-quality rules and are only
 * counted ({@link #unclean()}).
 */
final class StayOracle {
    private static final Set<String> EAEU = Set.of("RU", "BY", "AM", "KG");
    private static final Set<String> NATIONALS = Set.of("KZ");

    /** One traveller's history as the data tells it. */
    static final class Traveller {
        String citizenship;
        final List<Stay> stays = new ArrayList<>();
        final List<PermitPeriod> permits = new ArrayList<>();
        LocalDate lastCrossing;
        boolean clean = true;


        CitizenshipClass citizenshipClass() {
            return EAEU.contains(citizenship) ? CitizenshipClass.EAEU : CitizenshipClass.VISA_FREE;
        }

        /** The engine's answer on a date, or null where no rule is in force for the stay. */
        StayStatus engine(LocalDate on) {
            try {
                return new StayCalculator(StayRules.forCitizenship(citizenshipClass()))
                        .control(TravelHistory.of(stays, permits), on);
            } catch (NoRuleInForceException e) {
                return null;
            }
        }
    }

    private final Map<String, Traveller> travellers = new HashMap<>();

    /** Builds every traveller's history from the events of a replay, in event-time order. */
    static StayOracle of(List<SpecificRecord> events, ZoneId zone) {
        StayOracle oracle = new StayOracle();
        List<SpecificRecord> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparingLong(StayOracle::time));
        for (SpecificRecord e : sorted) {
            if (e instanceof Crossing c && c.getTravellerId() != null && !NATIONALS.contains(c.getCitizenship())) {
                oracle.cross(c, zone);
            } else if (e instanceof Registration r && r.getKind() != RegistrationKind.HOST_NOTIFICATION) {
                // Kept even before the traveller's first crossing, as the topology keeps it.
                oracle.travellers.computeIfAbsent(r.getTravellerId(), id -> new Traveller()).permits
                        .add(new PermitPeriod(r.getValidFrom(), r.getValidTo()));
            }
        }
        return oracle;
    }

    private void cross(Crossing c, ZoneId zone) {
        Traveller t = travellers.computeIfAbsent(c.getTravellerId(), id -> new Traveller());
        t.citizenship = c.getCitizenship();
        LocalDate day = c.getTime().atZone(zone).toLocalDate();
        t.lastCrossing = day;
        Stay last = t.stays.isEmpty() ? null : t.stays.get(t.stays.size() - 1);
        if (c.getDirection() == Direction.ENTRY) {
            if (last != null && last.isOpen()) {
                t.clean = false;
            }
            t.stays.add(Stay.open(day));
        } else if (last == null || !last.isOpen()) {
            t.clean = false;
        } else {
            t.stays.set(t.stays.size() - 1, new Stay(last.entry(), day));
        }
    }

    private static long time(SpecificRecord r) {
        if (r instanceof Crossing c) {
            return c.getTime().toEpochMilli();
        }
        if (r instanceof Registration g) {
            return g.getTime().toEpochMilli();
        }
        return Long.MIN_VALUE;
    }

    Map<String, Traveller> clean() {
        Map<String, Traveller> m = new HashMap<>();
        travellers.forEach((id, t) -> {
            if (t.clean && !t.stays.isEmpty()) {
                m.put(id, t);
            }
        });
        return m;
    }

    long unclean() {
        return travellers.values().stream().filter(t -> !t.clean).count();
    }
}

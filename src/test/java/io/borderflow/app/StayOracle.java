package io.borderflow.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.borderflow.avro.Crossing;
import io.borderflow.avro.Direction;
import io.borderflow.avro.Registration;
import io.borderflow.avro.RegistrationKind;
import io.borderflow.avro.StayState;
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

    /**
     * Keeps the traveller's latest status: {@code run} writes its outputs sorted, so file order is not emission
     * order; a traveller's statuses are ordered by their date, then by the time of the record that caused them.
     */
    static void keepLatest(Map<String, JsonNode> last, JsonNode status) {
        last.merge(status.get("travellerId").asText(), status, (a, b) -> order(b).compareTo(order(a)) >= 0 ? b : a);
    }

    private static String order(JsonNode s) {
        return s.get("asOf").asText() + "|" + s.get("time").asText();
    }

    /**
     * Every traveller with a clean history in the data: the last status written ({@code last}, the JSON shape of
     * {@code run}'s output, by traveller id) equals the rules engine applied to the traveller's whole history on
     * that status's date; a traveller for whom no rule is in force has none.
     *
     * @return the number of travellers judged
     */
    int assertLastStatuses(Map<String, JsonNode> last) {
        int judged = 0;
        int overstaying = 0;
        for (Map.Entry<String, Traveller> e : clean().entrySet()) {
            Traveller t = e.getValue();
            JsonNode s = last.get(e.getKey());
            if (t.engine(t.lastCrossing) == null) {
                assertNull(s, "no rule in force, no status: " + t.stays);
                continue;
            }
            assertNotNull(s, "a status for every traveller the rules apply to: " + t.stays);
            LocalDate asOf = LocalDate.parse(s.get("asOf").asText());
            assertFalse(asOf.isBefore(t.lastCrossing), "the last status is as of the last crossing or later: " + s);
            StayStatus expected = t.engine(asOf);
            String ctx = t.stays + " " + t.permits + " -> " + s;
            StayState state = expected.exempt() ? StayState.EXEMPT : expected.overLimit() ? StayState.OVERSTAY
                    : expected.present() && expected.daysRemaining() <= 10 ? StayState.WARNING : StayState.COMPLIANT;
            assertEquals(state.name(), s.get("status").asText(), ctx);
            assertEquals(expected.rule().id(), s.get("rule").asText(), ctx);
            assertEquals(expected.daysUsed(), s.get("daysUsed").asInt(), ctx);
            assertEquals(expected.daysRemaining(), s.get("daysRemaining").asInt(), ctx);
            assertEquals(expected.overstayDays(), s.get("overstayDays").asInt(), ctx);
            assertEquals(String.valueOf(expected.mustLeaveBy()), s.get("mustLeaveBy").asText("null"), ctx);
            judged++;
            overstaying += state == StayState.OVERSTAY ? 1 : 0;
        }
        System.out.printf("[StayOracle] %,d travellers judged against the engine (%,d overstaying), %,d unclean%n",
                judged, overstaying, unclean());
        return judged;
    }

    long unclean() {
        return travellers.values().stream().filter(t -> !t.clean).count();
    }
}

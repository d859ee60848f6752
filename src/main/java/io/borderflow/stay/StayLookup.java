package io.borderflow.stay;

import io.borderflow.avro.StayState;
import io.borderflow.config.BorderflowConfig;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;

/**
 * Read access to the {@value StayTopology#TRAVELLERS_STORE} store for interactive queries: decodes a stored
 * traveller and runs the same engine, with the same settings, as the stay-track processor, so an answer equals
 * the status the topology would emit for that day.
 *
 * <p>The store keeps only what can still matter from the traveller's latest crossing on (see
 * {@link StayTopology}), so it can answer for that day or later, not for earlier days: {@link #standing} refuses
 * them. Thread-safe.
 */
public final class StayLookup {
    private final StaySettings settings;
    private final Map<CitizenshipClass, StayCalculator> calculators;
    private final ZoneId zone;

    public StayLookup(BorderflowConfig config) {
        this.settings = StaySettings.from(config);
        this.calculators = settings.calculators();
        this.zone = settings.zone();
    }

    /**
     * The engine's answer for one day.
     *
     * @param status       the state the topology would emit (COMPLIANT, WARNING, OVERSTAY, EXEMPT)
     * @param engine       the engine's control-mode answer on the kept history
     * @param overstayDays overstay days over the whole history (those of stays no longer kept included), as on
     *                     {@code border.stay-status.v1}
     * @param lastCrossing the local date of the traveller's latest crossing
     */
    public record Standing(StayState status, StayStatus engine, int overstayDays, LocalDate lastCrossing) {
    }

    /** A stored traveller: decoded once, asked for several days. */
    public final class Traveller {
        private final TravellerState state;

        private Traveller(TravellerState state) {
            this.state = state;
        }

        /** The local date of the latest crossing; empty when only a permit is known (no crossing yet). */
        public Optional<LocalDate> lastCrossing() {
            if (state.lastEventMinute == TravellerState.NONE || state.citizenship == null || state.stays.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(Instant.ofEpochSecond(state.lastEventMinute * 60L).atZone(zone).toLocalDate());
        }

        public boolean present() {
            return state.present();
        }

        /**
         * The standing on {@code on} (null: the latest crossing's date).
         *
         * @throws IllegalStateException   when no crossing is known (nothing to judge)
         * @throws IllegalArgumentException when {@code on} is before the latest crossing (not kept)
         * @throws NoRuleInForceException   when no rule governs the traveller's stay on that day
         */
        public Standing standing(LocalDate on) {
            LocalDate last = lastCrossing().orElseThrow(
                    () -> new IllegalStateException("no crossing is recorded for this traveller"));
            LocalDate day = on == null ? last : on;
            if (day.isBefore(last)) {
                throw new IllegalArgumentException("on: " + day + " is before the traveller's latest crossing (" + last
                        + "); the state answers from that day on (earlier statuses are on border.stay-status.v1)");
            }
            StayStatus es = calculators.get(state.citizenship).control(state.history(), day);
            return new Standing(StayTracker.state(es, settings.warningDays()), es,
                    state.baseOverstayDays + es.overstayDays(), last);
        }
    }

    /** Decodes a value of the travellers store. */
    public Traveller traveller(byte[] stored) {
        return new Traveller(TravellerState.decode(stored));
    }
}

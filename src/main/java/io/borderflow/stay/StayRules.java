package io.borderflow.stay;

import java.time.LocalDate;
import java.util.Objects;
import java.util.Optional;

/**
 * Which rule version governs which stay: either the version of a family in force (chosen by the date of the
 * stay's entry, see below), or one version forced for every stay (what-if).
 *
 * <h2>The transition (27 Jan 2023 by default)</h2>
 * "The new limit applies to people who entered on or after the effective date." This class reads that as:
 * <ol>
 * <li><b>A stay is governed by the version in force on its entry day.</b> A stay that began before the
 * effective date and goes on after it stays under the old rule until its exit (kz-eaeu-2022: 90 days from
 * that entry, no 180-day cap); it is never cut short by the new cap.</li>
 * <li><b>Every entry on or after the effective date starts a stay under the new rule</b>, including the
 * first re-entry after a stay that straddled the date.</li>
 * <li><b>The 180-day cap of a new version counts presence from its effective date on</b> (no retroactive
 * counting): days spent in the country before the effective date do not count towards "90 in any 180",
 * days after it do, whichever stay they belong to (so the post-change days of a grandfathered stay count
 * for a later stay). {@link #countingDaysBeforeEffectiveDate(boolean)} switches to strict counting of
 * every day in the 180-day period.</li>
 * </ol>
 * A what-if ({@link #whatIf}) applies its version to every stay as if it had always been in force: no
 * transition, every day in the period counts. Schengen has no transition.
 */
public final class StayRules {
    /** Government Resolution No. 1146 of 31 Dec 2022 took effect on 27 Jan 2023 (some outlets say 26 Jan). */
    public static final LocalDate DEFAULT_EFFECTIVE_DATE = LocalDate.of(2023, 1, 27);

    private final RuleFamily family;
    private final RuleVersion forced;
    private final LocalDate effectiveDate;
    private final boolean countDaysBeforeEffectiveDate;

    private StayRules(RuleFamily family, RuleVersion forced, LocalDate effectiveDate, boolean countDaysBeforeEffectiveDate) {
        this.family = Objects.requireNonNull(family, "family");
        this.forced = forced;
        this.effectiveDate = Dates.check(effectiveDate, "effective date");
        this.countDaysBeforeEffectiveDate = countDaysBeforeEffectiveDate;
    }

    /** The version of a family in force, picked by each stay's entry date. */
    public static StayRules inForce(RuleFamily family) {
        return new StayRules(family, null, DEFAULT_EFFECTIVE_DATE, false);
    }

    /** The Kazakh family for a citizenship class, version in force. */
    public static StayRules forCitizenship(CitizenshipClass citizenship) {
        return inForce(Objects.requireNonNull(citizenship, "citizenship").family());
    }

    /** One version for every stay, whatever the dates (what-if: the 2023 rule applied to 2022 data). */
    public static StayRules whatIf(RuleVersion version) {
        return new StayRules(version.family(), Objects.requireNonNull(version, "version"), DEFAULT_EFFECTIVE_DATE, false);
    }

    /** The same rules with another effective date for the 2023 change. */
    public StayRules withEffectiveDate(LocalDate date) {
        return new StayRules(family, forced, date, countDaysBeforeEffectiveDate);
    }

    /**
     * Whether the 180-day cap of a version that came in on the effective date also counts presence before
     * that date (default false: counting starts on the effective date). No effect on what-ifs or Schengen.
     */
    public StayRules countingDaysBeforeEffectiveDate(boolean count) {
        return new StayRules(family, forced, effectiveDate, count);
    }

    public RuleFamily family() {
        return family;
    }

    public LocalDate effectiveDate() {
        return effectiveDate;
    }

    public boolean countsDaysBeforeEffectiveDate() {
        return countDaysBeforeEffectiveDate;
    }

    /** The forced version of a what-if; empty when the version in force is used. */
    public Optional<RuleVersion> forcedVersion() {
        return Optional.ofNullable(forced);
    }

    public boolean isWhatIf() {
        return forced != null;
    }

    /** The version governing a stay that began on {@code entry} (or an entry planned that day); empty if none. */
    public Optional<RuleVersion> versionFor(LocalDate entry) {
        return forced != null ? Optional.of(forced) : family.versionOn(entry, effectiveDate);
    }

    /** Like {@link #versionFor} but a missing version is an error that says what to do. */
    public RuleVersion requireVersionFor(LocalDate entry, String what) {
        return versionFor(entry).orElseThrow(() -> new NoRuleInForceException(() -> "no " + family.id()
                + " rule governs " + what + " " + entry + ": " + family.versions().get(0).id() + " applies from "
                + family.inForceFrom(family.versions().get(0), effectiveDate).map(LocalDate::toString).orElse("?")
                + " (force a rule version for a what-if)"));
    }

    /**
     * The first date whose presence counts towards the 180-day cap of {@code version}, or empty when every
     * date counts. Only the in-force mode of a version that came in on the effective date has one.
     */
    public Optional<LocalDate> countingStartsOn(RuleVersion version) {
        if (forced != null || countDaysBeforeEffectiveDate || version.family() != family) {
            return Optional.empty();
        }
        return family.inForceFrom(version, effectiveDate);
    }

    /** As {@link #countingStartsOn}, as an epoch day ({@link Long#MIN_VALUE} when every date counts). */
    long countFromEpochDay(RuleVersion version) {
        return countingStartsOn(version).map(LocalDate::toEpochDay).orElse(Long.MIN_VALUE);
    }

    @Override
    public String toString() {
        return forced != null ? forced.id() + " (what-if)"
                : family.id() + " (in force, effective date " + effectiveDate + ")";
    }
}

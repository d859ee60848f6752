package io.borderflow.stay;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A rule as users name it; its versions follow one another by effective date. The Kazakh families change
 * version on one effective date (see {@link StayRules#effectiveDate()}); Schengen has one version.
 */
public enum RuleFamily {
    SCHENGEN("schengen"),
    KZ_EAEU("kz-eaeu"),
    KZ_VISA_FREE("kz-visa-free");

    private final String id;

    RuleFamily(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** The versions, oldest first. */
    public List<RuleVersion> versions() {
        return switch (this) {
            case SCHENGEN -> List.of(RuleVersion.SCHENGEN);
            case KZ_EAEU -> List.of(RuleVersion.KZ_EAEU_2022, RuleVersion.KZ_EAEU_2023);
            case KZ_VISA_FREE -> List.of(RuleVersion.KZ_VISA_FREE_2023);
        };
    }

    /**
     * The first day a version is in force, given the family's effective date for the 2023 change; empty
     * when the version has no start (in force on every earlier date).
     */
    public Optional<LocalDate> inForceFrom(RuleVersion version, LocalDate effectiveDate) {
        if (version.family() != this) {
            throw new IllegalArgumentException(version.id() + " is not a version of " + id);
        }
        return switch (version) {
            case KZ_EAEU_2023, KZ_VISA_FREE_2023 -> Optional.of(effectiveDate);
            case KZ_EAEU_2022, SCHENGEN -> Optional.empty();
        };
    }

    /** The version in force on a date, or empty when the family has none yet (kz-visa-free before 2023). */
    public Optional<RuleVersion> versionOn(LocalDate date, LocalDate effectiveDate) {
        RuleVersion found = null;
        for (RuleVersion v : versions()) {
            Optional<LocalDate> from = inForceFrom(v, effectiveDate);
            if (from.isEmpty() || !date.isBefore(from.get())) {
                found = v;
            }
        }
        return Optional.ofNullable(found);
    }

    /** Parses a family id: {@code schengen}, {@code kz-eaeu}, {@code kz-visa-free}. */
    public static RuleFamily fromId(String id) {
        for (RuleFamily f : values()) {
            if (f.id.equalsIgnoreCase(id == null ? "" : id.strip())) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown rule '" + id + "' (known: "
                + Arrays.stream(values()).map(RuleFamily::id).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return id;
    }
}

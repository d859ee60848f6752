package io.borderflow.stay;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * One version of a stay rule: a limit per stay (days from the entry crossing), a limit over any
 * {@value #WINDOW_DAYS}-day period, or both. Which version applies is chosen by {@link StayRules}.
 */
public enum RuleVersion {
    /** EAEU citizens before the 2023 change: 90 days per stay, no cap over 180 days (re-entry resets). */
    KZ_EAEU_2022("kz-eaeu-2022", 90, 0),
    /** EAEU citizens from the 2023 change: 90 days per stay and 90 in any 180. */
    KZ_EAEU_2023("kz-eaeu-2023", 90, 90),
    /** Other visa-free foreigners from the 2023 change: 30 days per entry and 90 in any 180. */
    KZ_VISA_FREE_2023("kz-visa-free-2023", 30, 90),
    /** Schengen short stay (Regulation (EU) 2016/399, Art. 6): 90 in any 180, no per-stay limit. */
    SCHENGEN("schengen", 0, 90);

    /** The length of the look-back period, the day itself included. */
    public static final int WINDOW_DAYS = 180;

    private final String id;
    private final int perStayLimit;
    private final int windowLimit;

    RuleVersion(String id, int perStayLimit, int windowLimit) {
        this.id = id;
        this.perStayLimit = perStayLimit;
        this.windowLimit = windowLimit;
    }

    /** The name users and outputs see, e.g. {@code kz-eaeu-2023}. */
    public String id() {
        return id;
    }

    /** Days allowed per stay (counted from the entry day), or 0 when there is no per-stay limit. */
    public int perStayLimit() {
        return perStayLimit;
    }

    /** Days allowed in any {@value #WINDOW_DAYS}-day period, or 0 when there is no such cap. */
    public int windowLimit() {
        return windowLimit;
    }

    public boolean hasPerStayLimit() {
        return perStayLimit > 0;
    }

    public boolean hasWindowLimit() {
        return windowLimit > 0;
    }

    /** The family the version belongs to. */
    public RuleFamily family() {
        return switch (this) {
            case KZ_EAEU_2022, KZ_EAEU_2023 -> RuleFamily.KZ_EAEU;
            case KZ_VISA_FREE_2023 -> RuleFamily.KZ_VISA_FREE;
            case SCHENGEN -> RuleFamily.SCHENGEN;
        };
    }

    /** Parses a version id such as {@code kz-eaeu-2023}. */
    public static RuleVersion fromId(String id) {
        for (RuleVersion v : values()) {
            if (v.id.equalsIgnoreCase(id == null ? "" : id.strip())) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown rule version '" + id + "' (known: "
                + Arrays.stream(values()).map(RuleVersion::id).collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public String toString() {
        return id;
    }
}

package io.borderflow.stay;

/** The traveller's class for the stay rules; picks the Kazakh rule family. */
public enum CitizenshipClass {
    /** Citizens of the Eurasian Economic Union (Russia, Belarus, Armenia, Kyrgyzstan). */
    EAEU(RuleFamily.KZ_EAEU),
    /** Other foreigners who enter Kazakhstan without a visa. */
    VISA_FREE(RuleFamily.KZ_VISA_FREE);

    private final RuleFamily family;

    CitizenshipClass(RuleFamily family) {
        this.family = family;
    }

    /** The Kazakh rule family that applies to this class. */
    public RuleFamily family() {
        return family;
    }
}

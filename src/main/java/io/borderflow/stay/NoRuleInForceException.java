package io.borderflow.stay;

/**
 * The chosen rule family has no version for the stay in question (e.g. {@code kz-visa-free} for a stay that
 * began before the 2023 effective date). A what-if ({@link StayRules#whatIf}) applies a version anyway.
 */
public final class NoRuleInForceException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public NoRuleInForceException(String message) {
        super(message);
    }
}

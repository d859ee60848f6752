package io.borderflow.stay;

import java.util.function.Supplier;

/**
 * The chosen rule family has no version for the stay in question (e.g. {@code kz-visa-free} for a stay that
 * began before the 2023 effective date). A what-if ({@link StayRules#whatIf}) applies a version anyway.
 *
 * <p>The streaming tracker meets this routinely while it searches for a presumed entry or exit and never reads
 * the message, so the message is built only when asked for and no stack trace is taken (a profile showed both).
 */
public final class NoRuleInForceException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private transient Supplier<String> describe;
    private String message;

    public NoRuleInForceException(String message) {
        super(message);
        this.message = message;
    }

    NoRuleInForceException(Supplier<String> describe) {
        super((String) null);
        this.describe = describe;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    @Override
    public String getMessage() {
        if (message == null && describe != null) {
            message = describe.get();
        }
        return message;
    }
}

package io.borderflow.deadletter;

/**
 * An input record the pipeline cannot use: it does not decode, or a value in it is impossible. The message is
 * one line naming the problem (and the field), never a traveller id. Cheap to throw: no stack trace.
 *
 * <p>Unchecked on purpose: a stage that does not catch it still dead-letters the record, through
 * {@link DeadLetterHandlers.Processing}, with this reason.
 */
public final class BadInputException extends RuntimeException {
    private final String reason;
    private final String errorClass;

    /**
     * @param reason     {@link DeadLetters#EMPTY}, {@link DeadLetters#DESERIALIZATION} or {@link DeadLetters#INVALID}
     * @param errorClass class name of the error underneath, or null when a rule found the problem
     */
    public BadInputException(String reason, String message, String errorClass) {
        super(message, null, false, false);
        this.reason = reason;
        this.errorClass = errorClass;
    }

    public String reason() {
        return reason;
    }

    /** Class name of the underlying error (the serde's, the validator's), or null. */
    public String errorClass() {
        return errorClass;
    }
}

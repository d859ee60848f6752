package io.borderflow.replay;

/**
 * A record failed validation. The message is the one-line, user-facing reason, naming the field, e.g.
 * {@code field "direction": unknown value "INN" (expected ENTRY or EXIT)}. It never contains a traveller id.
 * Cheap to throw: no stack trace is captured.
 */
public final class InvalidEventException extends Exception {
    public InvalidEventException(String reason) {
        super(reason, null, false, false);
    }

    /** Same as {@link #getMessage()}. */
    public String reason() {
        return getMessage();
    }
}

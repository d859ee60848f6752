package io.borderflow.replay;

/** One bad input record: where it was and why it was refused. {@code raw} is the line as read. */
public record Reject(String source, long line, String reason, String raw) {
    /** One line for the user: {@code file:line: reason}. Never includes the raw text (it may hold an identity). */
    public String describe() {
        return source + ":" + line + ": " + reason;
    }
}

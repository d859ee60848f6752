package io.borderflow.config;

/** A bad configuration value or file; its message is one line meant for the user. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}

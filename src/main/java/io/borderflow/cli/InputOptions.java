package io.borderflow.cli;

import io.borderflow.config.BorderflowConfig;
import io.borderflow.replay.Pseudonymiser;
import io.borderflow.replay.UserSources;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/** The user-data options that {@code replay} and {@code run} share: a file, its format, and its ids. */
final class InputOptions {
    @Option(names = "--input", paramLabel = "FILE", description = "Your own data (JSON lines or CSV) instead of a scenario.")
    Path input;

    @Option(names = "--format", paramLabel = "jsonl|csv|daily-csv",
            description = "Format of --input (default: from the file name and header).")
    String format;

    @Option(names = "--pseudonymised-ids",
            description = "The input's traveller ids are already pseudonyms (e.g. a file written by --to-file): keep them as they are.")
    boolean pseudonymisedIds;

    boolean given() {
        return input != null;
    }

    /** The format given, or the one the file shows. */
    UserSources.Format format() {
        return format == null ? UserSources.detect(input) : ReplayCommand.parseFormat(format);
    }

    /** How traveller ids are turned into pseudonyms: the configured keyed hash, or kept as they are. */
    UnaryOperator<String> ids(BorderflowConfig config) {
        return pseudonymisedIds ? UnaryOperator.identity() : Pseudonymiser.fromConfig(config, System.getenv());
    }
}

package io.borderflow.cli;

import io.borderflow.config.BorderflowConfig;
import io.borderflow.replay.Pseudonymiser;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** The pseudonymised key of raw traveller ids, to look a traveller up in the stay store. */
@Command(name = "pseudonymise", mixinStandardHelpOptions = true,
        description = {"Print the pseudonymised key of each raw traveller ID (one per line, in order), with the",
                "configured key (" + BorderflowConfig.PSEUDONYM_KEY_ENV + ", " + BorderflowConfig.PSEUDONYM_KEY_FILE
                        + " or " + BorderflowConfig.PSEUDONYM_KEY + "): the id the",
                "lookups (GET /travellers/{id}/stay) and every output topic use."},
        footer = {"", "Example:", "  BORDERFLOW_PSEUDONYM_KEY=$(cat my-key) borderflow pseudonymise 870412300123"})
public final class PseudonymiseCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions configOptions;

    @Parameters(arity = "1..*", paramLabel = "ID", description = "Raw traveller ids (as in your crossings data).")
    List<String> ids;

    @Override
    public Integer call() {
        BorderflowConfig config = configOptions.load(Map.of());
        Pseudonymiser pseudonymiser = Pseudonymiser.fromConfig(config, System.getenv());
        PrintStream out = System.out;
        for (String id : ids) {
            if (id.isBlank()) {
                throw new IllegalArgumentException("ID: an empty id has no pseudonym");
            }
            out.println(pseudonymiser.apply(id));
        }
        return 0;
    }
}

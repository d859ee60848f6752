package io.borderflow.cli;

import io.borderflow.config.ConfigException;
import java.io.PrintWriter;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "borderflow", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Border-crossing telemetry on Kafka: replay, net flows, stay compliance, alerts.",
        subcommands = {DemoCommand.class, BrokerCommand.class, ReplayCommand.class, RunCommand.class, BenchCommand.class, StreamCommand.class, TopicsCommand.class,
                StayCheckCommand.class, PseudonymiseCommand.class, ExportMetricsCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Bad arguments or configuration: the user can fix it. */
    public static final int EXIT_USAGE = 2;
    /** Anything else that stopped a command. */
    public static final int EXIT_FAILURE = 1;

    @Option(names = {"-v", "--verbose"}, description = "More log output (-v info, -vv debug).", scope = CommandLine.ScopeType.INHERIT)
    void verbose(boolean[] flags) {
        Configurator.setRootLevel(flags.length > 1 ? Level.DEBUG : Level.INFO);
        verbose = true;
    }

    static boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns the exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.registerConverter(LocalDate.class, Main::parseDate);
        cl.setParameterExceptionHandler((ex, args) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("borderflow: " + ex.getMessage() + " (see '" + ex.getCommandLine().getCommandName() + " --help')");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            Throwable cause = ex;
            if (verbose) {
                ex.printStackTrace(err);
            }
            if (cause instanceof ConfigException || cause instanceof IllegalArgumentException) {
                err.println("borderflow: " + oneLine(cause.getMessage()));
                return EXIT_USAGE;
            }
            err.println("borderflow: " + oneLine(describe(cause)) + (verbose ? "" : " (run with -v for details)"));
            return EXIT_FAILURE;
        });
        return cl;
    }

    static LocalDate parseDate(String s) {
        try {
            return LocalDate.parse(s);
        } catch (DateTimeParseException e) {
            throw new CommandLine.TypeConversionException("'" + s + "' is not a date (YYYY-MM-DD)");
        }
    }

    private static String describe(Throwable t) {
        String msg = t.getMessage();
        Throwable c = t.getCause();
        if ((msg == null || msg.isBlank()) && c != null) {
            return describe(c);
        }
        return msg == null ? t.getClass().getSimpleName() : msg;
    }

    static String oneLine(String s) {
        if (s == null) {
            return "error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"borderflow " + (v == null ? "dev" : v)};
        }
    }
}

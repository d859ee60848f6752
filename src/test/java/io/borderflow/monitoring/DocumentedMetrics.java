package io.borderflow.monitoring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code border_*} metric names of docs/metrics.md (its tables; a cell such as
 * {@code `border_checkpoint_entries`, `_exits`, `_net`} names three), so that rules and dashboards
 * can be checked against the names the app promises.
 */
public final class DocumentedMetrics {
    private static final Pattern TICKED = Pattern.compile("`([a-z_]+)`");
    private static final Pattern BORDER_NAME = Pattern.compile("\\bborder_[a-z_]+[a-z]\\b");

    private DocumentedMetrics() {
    }

    public static Set<String> names(Path metricsMd) throws IOException {
        Set<String> names = new TreeSet<>();
        for (String line : Files.readAllLines(metricsMd)) {
            if (!line.startsWith("| `border_")) {
                continue;
            }
            String cell = line.substring(1, line.indexOf('|', 1));
            String last = null;
            Matcher m = TICKED.matcher(cell);
            while (m.find()) {
                String t = m.group(1);
                if (t.startsWith("_") && last != null) {
                    t = last.substring(0, last.lastIndexOf('_')) + t;
                }
                names.add(t);
                last = t;
            }
        }
        return names;
    }

    /** Every {@code border_...} name in {@code text} (recording-rule names contain ':' and do not match). */
    public static Set<String> usedIn(String text) {
        Set<String> used = new TreeSet<>();
        Matcher m = BORDER_NAME.matcher(text);
        while (m.find()) {
            int start = m.start();
            // A recording rule (borderflow:...) or a threshold name is not a metric of the app.
            if (start > 0 && (text.charAt(start - 1) == ':' || Character.isLetterOrDigit(text.charAt(start - 1)))) {
                continue;
            }
            used.add(m.group());
        }
        return used;
    }
}

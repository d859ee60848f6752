package io.borderflow.view;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Headless Debian Chromium, one process per call, with a fresh profile. Absent outside CI, tests
 * using it are skipped with a message; under {@code CI=true} its absence fails them.
 */
final class Chromium {
    private static final List<String> CANDIDATES = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser");
    private static final Pattern ATTRIBUTE = Pattern.compile("([a-zA-Z-]+)=\"([^\"]*)\"");

    private final Path binary;
    private final Path work;

    private Chromium(Path binary, Path work) {
        this.binary = binary;
        this.work = work;
    }

    /** The browser, or the test is skipped (outside CI) or failed (under CI=true). */
    static Chromium require(Path work) {
        String configured = System.getenv("CHROMIUM");
        List<String> candidates = new ArrayList<>();
        if (configured != null && !configured.isBlank()) {
            candidates.add(configured);
        }
        candidates.addAll(CANDIDATES);
        for (String c : candidates) {
            Path p = Path.of(c);
            if (Files.isExecutable(p)) {
                return new Chromium(p, work);
            }
        }
        String message = "headless Chromium not found (" + String.join(", ", candidates)
                + "): install Debian's 'chromium' to run the built-in view's browser test";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message + " (CI=true: .ci/run installs it)");
        }
        System.out.println("SKIPPED: " + message);
        Assumptions.abort(message);
        return null;
    }

    /** The DOM after the page ran for {@code budgetMillis} of virtual time. */
    String dumpDom(String url, int budgetMillis) throws IOException, InterruptedException {
        Path out = run(url, budgetMillis, "--dump-dom");
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** A PNG of the page after {@code budgetMillis} of virtual time. */
    void screenshot(String url, int budgetMillis, Path png) throws IOException, InterruptedException {
        run(url, budgetMillis, "--screenshot=" + png.toAbsolutePath(), "--hide-scrollbars");
        if (!Files.isRegularFile(png)) {
            fail("chromium wrote no screenshot to " + png);
        }
    }

    private Path run(String url, int budgetMillis, String... mode) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(work, "chromium-profile-");
        Path stdout = Files.createTempFile(work, "chromium-", ".out");
        Path stderr = Files.createTempFile(work, "chromium-", ".err");
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--no-first-run", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,1500",
                "--virtual-time-budget=" + budgetMillis));
        cmd.addAll(List.of(mode));
        cmd.add(url);
        Process p = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("chromium did not finish within 120 s; stderr:\n" + tail(stderr));
        }
        if (p.exitValue() != 0) {
            fail("chromium exited with " + p.exitValue() + "; stderr:\n" + tail(stderr));
        }
        return stdout;
    }

    private static String tail(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    /** The attributes of the element with this id in a dumped DOM. */
    static Map<String, String> attributes(String dom, String id) {
        Matcher tag = Pattern.compile("<[a-z0-9]+\\s[^>]*\\bid=\"" + Pattern.quote(id) + "\"[^>]*>").matcher(dom);
        if (!tag.find()) {
            fail("no element with id " + id + " in the page:\n" + dom);
        }
        Map<String, String> attrs = new LinkedHashMap<>();
        Matcher a = ATTRIBUTE.matcher(tag.group());
        while (a.find()) {
            attrs.put(a.group(1), a.group(2));
        }
        return attrs;
    }

    /** The text content of the element with this id (no nested elements). */
    static String text(String dom, String id) {
        Matcher m = Pattern.compile("\\bid=\"" + Pattern.quote(id) + "\"[^>]*>([^<]*)<").matcher(dom);
        if (!m.find()) {
            fail("no element with id " + id + " in the page:\n" + dom);
        }
        return m.group(1);
    }
}

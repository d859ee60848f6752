package io.borderflow.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Parsing of lookup requests: paths and query parameters, each bad value a 400 naming the parameter. */
final class LookupRequests {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 10_000;
    /** Earliest date a lookup accepts; the engine's cost grows with the span of days, so both ends are bounded. */
    static final LocalDate MIN_DATE = LocalDate.of(2000, 1, 1);
    static final int MAX_DAYS_AHEAD = 366;
    static final int MAX_ID_LENGTH = 256;

    private static final String TRAVELLERS = "/travellers/";
    private static final String STAY = "/stay";

    private LookupRequests() {
    }

    /** The decoded traveller id of {@code /travellers/{id}/stay} (raw path); a 404 for any other path. */
    static String travellerId(String rawPath) {
        if (rawPath == null || !rawPath.startsWith(TRAVELLERS) || !rawPath.endsWith(STAY)
                || rawPath.length() <= TRAVELLERS.length() + STAY.length()) {
            throw new ApiException(404, "no such resource: use /travellers/{id}/stay");
        }
        String raw = rawPath.substring(TRAVELLERS.length(), rawPath.length() - STAY.length());
        if (raw.contains("/")) {
            throw new ApiException(404, "no such resource: use /travellers/{id}/stay (a '/' in the id is written %2F)");
        }
        String id = decode(raw, "id");
        if (id.isBlank() || id.length() > MAX_ID_LENGTH) {
            throw new ApiException(400, "id: must be 1 to " + MAX_ID_LENGTH + " characters");
        }
        return id;
    }

    /** Query parameters (raw query string); an unknown or repeated parameter is a 400. */
    static Map<String, String> query(String rawQuery, Set<String> known) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), "query");
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), name);
            if (!known.contains(name)) {
                throw new ApiException(400, "unknown parameter '" + clip(name) + "' (known: "
                        + String.join(", ", new TreeSet<>(known)) + ")");
            }
            if (out.put(name, value) != null) {
                throw new ApiException(400, name + ": given more than once");
            }
        }
        return out;
    }

    /** A date parameter, null when absent; between {@link #MIN_DATE} and a year after {@code today}. */
    static LocalDate date(String name, String value, LocalDate today) {
        if (value == null) {
            return null;
        }
        LocalDate d;
        try {
            d = LocalDate.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw new ApiException(400, name + ": '" + clip(value) + "' is not a date (YYYY-MM-DD)");
        }
        LocalDate max = today.plusDays(MAX_DAYS_AHEAD);
        if (d.isBefore(MIN_DATE) || d.isAfter(max)) {
            throw new ApiException(400, name + ": " + d + " is out of range (" + MIN_DATE + " to " + max + ")");
        }
        return d;
    }

    /** The limit parameter: {@value #DEFAULT_LIMIT} when absent, 1 to {@value #MAX_LIMIT}. */
    static int limit(String value) {
        if (value == null) {
            return DEFAULT_LIMIT;
        }
        int n;
        try {
            n = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new ApiException(400, "limit: '" + clip(value) + "' is not a whole number (1 to " + MAX_LIMIT + ")");
        }
        if (n < 1 || n > MAX_LIMIT) {
            throw new ApiException(400, "limit: " + n + " is out of range (1 to " + MAX_LIMIT + ")");
        }
        return n;
    }

    /** Percent-decoding of a path segment or query part ('+' is a space only in the query). */
    private static String decode(String raw, String what) {
        try {
            return URLDecoder.decode(what.equals("id") ? raw.replace("+", "%2B") : raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, what + ": bad percent-encoding");
        }
    }

    /** Echoed values are cut short: a message stays one short line whatever was sent. */
    private static String clip(String s) {
        String one = s.replaceAll("[\\r\\n\\t]", " ");
        return one.length() > 40 ? one.substring(0, 40) + "..." : one;
    }
}

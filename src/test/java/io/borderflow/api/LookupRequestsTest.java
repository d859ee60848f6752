package io.borderflow.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.LocalDate;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class LookupRequestsTest {
    private static final LocalDate TODAY = LocalDate.of(2025, 6, 1);

    private static ApiException fails(Executable e) {
        return assertThrows(ApiException.class, e);
    }

    @Test
    void travellerIdsAreDecodedPathSegments() {
        assertEquals("p-AbC_d-9", LookupRequests.travellerId("/travellers/p-AbC_d-9/stay"));
        assertEquals("a/b c+d", LookupRequests.travellerId("/travellers/a%2Fb%20c+d/stay"));
        ApiException other = fails(() -> LookupRequests.travellerId("/travellers/x/stays"));
        assertEquals(404, other.status());
        assertEquals("no such resource: use /travellers/{id}/stay", other.getMessage());
        assertEquals(404, fails(() -> LookupRequests.travellerId("/travellers//stay")).status());
        assertEquals(404, fails(() -> LookupRequests.travellerId("/travellers/a/b/stay")).status());
        assertEquals(400, fails(() -> LookupRequests.travellerId("/travellers/%20/stay")).status());
        ApiException bad = fails(() -> LookupRequests.travellerId("/travellers/%zz/stay"));
        assertEquals(400, bad.status());
        assertEquals("id: bad percent-encoding", bad.getMessage());
    }

    @Test
    void queryParametersAreCheckedByName() {
        assertEquals(Map.of(), LookupRequests.query(null, Set.of("on")));
        assertEquals(Map.of("on", "2023-01-02", "limit", "5"),
                LookupRequests.query("on=2023-01-02&limit=5", Set.of("on", "limit")));
        ApiException unknown = fails(() -> LookupRequests.query("date=2023-01-02", Set.of("on", "limit")));
        assertEquals(400, unknown.status());
        assertEquals("unknown parameter 'date' (known: limit, on)", unknown.getMessage());
        assertEquals("on: given more than once",
                fails(() -> LookupRequests.query("on=2023-01-02&on=2023-01-03", Set.of("on"))).getMessage());
    }

    @Test
    void datesAreCheckedAndBounded() {
        assertNull(LookupRequests.date("on", null, TODAY));
        assertEquals(LocalDate.of(2022, 9, 21), LookupRequests.date("on", "2022-09-21", TODAY));
        ApiException notDate = fails(() -> LookupRequests.date("on", "21.09.2022", TODAY));
        assertEquals(400, notDate.status());
        assertEquals("on: '21.09.2022' is not a date (YYYY-MM-DD)", notDate.getMessage());
        assertEquals("on: '2022-02-30' is not a date (YYYY-MM-DD)",
                fails(() -> LookupRequests.date("on", "2022-02-30", TODAY)).getMessage());
        assertEquals("on: 1999-12-31 is out of range (2000-01-01 to 2026-06-02)",
                fails(() -> LookupRequests.date("on", "1999-12-31", TODAY)).getMessage());
        assertEquals(400, fails(() -> LookupRequests.date("on", "2026-06-03", TODAY)).status());
        String longJunk = "x".repeat(500) + "\nline";
        String msg = fails(() -> LookupRequests.date("on", longJunk, TODAY)).getMessage();
        assertEquals("on: '" + "x".repeat(40) + "...' is not a date (YYYY-MM-DD)", msg);
    }

    @Test
    void limitsDefaultAndAreBounded() {
        assertEquals(100, LookupRequests.limit(null));
        assertEquals(1, LookupRequests.limit("1"));
        assertEquals(10_000, LookupRequests.limit("10000"));
        assertEquals("limit: 0 is out of range (1 to 10000)", fails(() -> LookupRequests.limit("0")).getMessage());
        assertEquals("limit: 10001 is out of range (1 to 10000)", fails(() -> LookupRequests.limit("10001")).getMessage());
        assertEquals("limit: 'ten' is not a whole number (1 to 10000)", fails(() -> LookupRequests.limit("ten")).getMessage());
        assertEquals(400, fails(() -> LookupRequests.limit("")).status());
    }
}

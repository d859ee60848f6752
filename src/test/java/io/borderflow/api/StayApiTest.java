package io.borderflow.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.borderflow.api.StayApi.OverstayRow;
import io.borderflow.api.StayApi.ScanResult;
import io.borderflow.avro.StayState;
import io.borderflow.stay.RuleVersion;
import io.borderflow.stay.StayLookup;
import io.borderflow.stay.StayStatus;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StayApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalDate d(String s) {
        return LocalDate.parse(s);
    }

    private static OverstayRow row(String id, int days) {
        return new OverstayRow(id, days, (long) days, d("2023-05-01"), "kz-eaeu-2023", 90 + days);
    }

    @Test
    void aStandingHasTheStayCheckFieldsAndTheStatus() throws Exception {
        StayStatus e = new StayStatus(RuleVersion.KZ_EAEU_2023, false, d("2023-09-15"), true, false, d("2023-06-01"),
                107, d("2023-03-20"), 147, 0, 57, true, d("2023-07-20"));
        String body = StayApi.json(StayApi.standingJson("p-x", new StayLookup.Standing(StayState.OVERSTAY, e, 60,
                d("2023-06-01"))));
        assertEquals("{\"id\":\"p-x\",\"status\":\"OVERSTAY\",\"rule\":\"kz-eaeu-2023\",\"on\":\"2023-09-15\","
                + "\"windowStart\":\"2023-03-20\",\"daysUsed\":147,\"daysRemaining\":0,\"overstayDays\":60,"
                + "\"mustLeaveBy\":\"2023-07-20\",\"present\":true,\"exempt\":false,\"stayEntry\":\"2023-06-01\","
                + "\"lastCrossing\":\"2023-06-01\",\"whatIf\":false}", body);
    }

    @Test
    void scanResultsSurviveTheTripBetweenInstances() {
        ScanResult r = new ScanResult(List.of(0, 2), d("2023-10-01"), d("2023-09-30"), 3, 1,
                List.of(row("p-a", 12), new OverstayRow("p-b", 4, null, null, "kz-eaeu-2022", 94)));
        assertEquals(r, ScanResult.fromJson(StayApi.json(r.toJson())));
        ScanResult empty = new ScanResult(List.of(1), null, null, 0, 0, List.of());
        assertEquals(empty, ScanResult.fromJson(StayApi.json(empty.toJson())));
    }

    @Test
    void mergeKeepsTheTopRowsOverallAndAddsUpTheTotals() throws Exception {
        ScanResult a = new ScanResult(List.of(0, 1), d("2023-10-01"), d("2023-10-01"), 5, 1,
                List.of(row("p-a", 30), row("p-c", 10)));
        ScanResult b = new ScanResult(List.of(2, 3), d("2023-09-28"), d("2023-10-01"), 2, 0,
                List.of(row("p-b", 30), row("p-d", 20)));
        Map<String, Object> m = StayApi.merge(d("2023-10-01"), 3, List.of(a, b));
        JsonNode n = JSON.readTree(StayApi.json(m));
        assertEquals("2023-10-01", n.get("on").asText());
        assertEquals("2023-10-01", n.get("latestCrossing").asText());
        assertEquals(7, n.get("count").asInt());
        assertEquals(3, n.get("returned").asInt());
        assertEquals(1, n.get("notJudged").asInt());
        List<String> ids = n.get("overstays").findValuesAsText("id");
        assertEquals(List.of("p-a", "p-b", "p-d"), ids, "most overstay days first, then by id");
    }

    @Test
    void errorsAreOneLineJson() {
        assertEquals("{\"error\":\"on: bad date\"}", StayApi.error("on: bad date"));
        assertEquals("{\"error\":\"a b\"}", StayApi.error("a\r\nb"));
    }
}

package io.borderflow.view;

import static io.borderflow.view.ViewRecords.ALMATY;
import static io.borderflow.view.ViewRecords.day;
import static io.borderflow.view.ViewRecords.flowAlert;
import static io.borderflow.view.ViewRecords.midnight;
import static io.borderflow.view.ViewRecords.national;
import static io.borderflow.view.ViewRecords.overstay;
import static io.borderflow.view.ViewRecords.status;
import static io.borderflow.view.ViewRecords.stock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.borderflow.avro.AlertState;
import io.borderflow.avro.FlowDimension;
import io.borderflow.avro.NetFlowWindow;
import io.borderflow.avro.StayState;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ViewModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LocalDate D = LocalDate.of(2022, 9, 21);

    private final ViewModel model = new ViewModel(ALMATY);

    private JsonNode snapshot() throws Exception {
        return JSON.readTree(new String(BuiltInView.json(model.snapshot()), StandardCharsets.UTF_8));
    }

    @Test
    void anEmptyModelIsAValidDocument() throws Exception {
        JsonNode v = snapshot();
        assertNull(v.get("eventTime").textValue());
        assertEquals(0, v.at("/daily/days").size());
        assertEquals(0, v.at("/presentStock/citizenship/top").size());
        assertEquals(0, v.at("/overstays/now").asLong());
        assertEquals(0, v.get("alerts").size());
    }

    @Test
    void theDailyChartTakesFinalNationwideDaysOnlyInDayOrderWithCorrections() throws Exception {
        model.netFlow(national(D.plusDays(1), 30_149, 9_000));
        model.netFlow(national(D, 14_000, 8_000));
        model.netFlow(day(FlowDimension.CHECKPOINT, "SYRYM", D, 5_000, 1, 0));
        model.netFlow(new NetFlowWindow(FlowDimension.NATIONAL, "KZ", "1h", midnight(D), midnight(D).plusSeconds(3600),
                900L, 100L, 800L, true, 0));
        model.netFlow(new NetFlowWindow(FlowDimension.NATIONAL, "KZ", "1d", midnight(D.plusDays(2)),
                midnight(D.plusDays(3)), 1L, 0L, 1L, false, 0));
        // A late event restates the 21st; an older revision arriving after it changes nothing.
        model.netFlow(day(FlowDimension.NATIONAL, "KZ", D, 14_002, 8_000, 2));
        model.netFlow(day(FlowDimension.NATIONAL, "KZ", D, 14_001, 8_000, 1));

        JsonNode v = snapshot();
        assertEquals(List.of("2022-09-21", "2022-09-22"), texts(v.at("/daily/days")));
        assertEquals(List.of(14_002L, 30_149L), longs(v.at("/daily/entries")));
        assertEquals(List.of(8_000L, 9_000L), longs(v.at("/daily/exits")));
        assertEquals(List.of(6_002L, 21_149L), longs(v.at("/daily/net")));
        assertEquals("2022-09-23T00:00:00+06:00", v.get("eventTime").asText());
        assertEquals(7, v.get("records").asLong());
    }

    @Test
    void theDailySeriesKeepsTheNewestDaysWithinItsBound() throws Exception {
        int n = ViewModel.MAX_DAYS + 5;
        for (int i = 0; i < n; i++) {
            model.netFlow(national(D.plusDays(i), i, 0));
        }
        model.netFlow(national(D, 1, 1)); // older than everything kept: not let back in
        JsonNode v = snapshot();
        assertEquals(ViewModel.MAX_DAYS, v.at("/daily/days").size());
        assertEquals(D.plusDays(5).toString(), v.at("/daily/days/0").asText());
        assertEquals(D.plusDays(n - 1L).toString(), v.at("/daily/days/" + (ViewModel.MAX_DAYS - 1)).asText());
        assertEquals(1, v.get("dropped").asLong());
    }

    @Test
    void presentStockKeepsTheLatestValuePerKeyLargestFirst() throws Exception {
        Instant t = midnight(D);
        model.presentStock(stock("citizenship", "RU", 10, t));
        model.presentStock(stock("citizenship", "KG", 40, t));
        model.presentStock(stock("citizenship", "RU", 95_000, t.plusSeconds(60)));
        model.presentStock(stock("citizenship", "UZ", -12, t));
        model.presentStock(stock("region", "Almaty", 5, t));
        model.presentStock(stock("planet", "Earth", 5, t));
        JsonNode v = snapshot();
        JsonNode c = v.at("/presentStock/citizenship");
        assertEquals(List.of("RU", "KG", "UZ"), texts(c.get("top").findValues("key")));
        assertEquals(List.of(95_000L, 40L, -12L), longs(c.get("top").findValues("present")));
        assertEquals(95_028, c.get("total").asLong());
        assertEquals(3, c.get("keys").asInt());
        assertEquals(1, v.at("/presentStock/region/keys").asInt());
        assertEquals(1, v.get("dropped").asLong());
    }

    @Test
    void presentStockKeysAreBounded() throws Exception {
        for (int i = 0; i < ViewModel.MAX_STOCK_KEYS + 10; i++) {
            model.presentStock(stock("citizenship", "C" + i, i, midnight(D)));
        }
        JsonNode v = snapshot();
        assertEquals(ViewModel.MAX_STOCK_KEYS, v.at("/presentStock/citizenship/keys").asInt());
        assertEquals(10, v.get("dropped").asLong());
    }

    @Test
    void overstaysCountFromTheStayTopologysOutputWithoutTravellerIds() throws Exception {
        Instant t = midnight(D);
        model.alert(overstay("tr-aaa", AlertState.RAISED, t, null));
        model.alert(overstay("tr-bbb", AlertState.RAISED, t.plusSeconds(3600), null));
        model.alert(overstay("tr-ccc", AlertState.RAISED, t.plusSeconds(86_400), null));
        model.alert(overstay("tr-aaa", AlertState.RESOLVED, t, t.plusSeconds(90_000)));
        model.stayStatus(status("tr-aaa", StayState.OVERSTAY, D));
        model.stayStatus(status("tr-bbb", StayState.WARNING, D));
        model.stayStatus(status("tr-ccc", StayState.OVERSTAY, D.plusDays(1)));
        JsonNode v = snapshot();
        assertEquals(2, v.at("/overstays/now").asLong());
        assertEquals(3, v.at("/overstays/detected").asLong());
        assertEquals(1, v.at("/overstays/ended").asLong());
        assertEquals(List.of("2022-09-21", "2022-09-22"), texts(v.at("/overstays/days")));
        assertEquals(List.of(2L, 1L), longs(v.at("/overstays/newPerDay")));
        assertEquals(2, v.at("/overstays/statuses/OVERSTAY").asLong());
        assertEquals(1, v.at("/overstays/statuses/WARNING").asLong());
        assertEquals(0, v.at("/overstays/statuses/EXEMPT").asLong());
        assertEquals("2022-09-22", v.at("/overstays/statusesAsOf").asText());
        assertEquals(0, v.get("alerts").size(), "traveller alerts are not listed");
        assertFalse(v.toString().contains("tr-"), "no traveller id in the view: " + v);
    }

    @Test
    void alertsAreListedNewestFirstAndFiringIsRaisedMinusResolved() throws Exception {
        Instant t = midnight(D);
        model.alert(flowAlert("net-outflow", "KZ", AlertState.RAISED, t.plusSeconds(86_400 * 10), null, -25_000));
        model.alert(flowAlert("surge", "KZ", AlertState.RAISED, t, null, 30_149));
        model.alert(flowAlert("surge", "KZ", AlertState.RESOLVED, t, t.plusSeconds(86_400 * 8), 9_000));
        JsonNode v = snapshot();
        assertEquals(1, v.get("alertsFiring").asInt());
        JsonNode a = v.get("alerts");
        assertEquals(List.of("net-outflow", "surge", "surge"), texts(a.findValues("rule")));
        assertEquals(List.of("RAISED", "RESOLVED", "RAISED"), texts(a.findValues("state")));
        assertEquals("2022-10-01T00:00:00+06:00", a.get(0).get("time").asText());
        assertEquals("2022-09-29T00:00:00+06:00", a.get(1).get("time").asText(), "a resolution is dated by its end");
        assertEquals("national", a.get(0).get("dimension").asText());
        assertEquals(-25_000, a.get(0).get("value").asDouble());
        assertFalse(a.get(0).has("seq"));
    }

    @Test
    void theAlertListIsBounded() throws Exception {
        Instant t = midnight(D);
        for (int i = 0; i < ViewModel.MAX_ALERTS + 20; i++) {
            model.alert(flowAlert("r" + i, "KZ", AlertState.RAISED, t.plusSeconds(3600L * i), null, i));
        }
        JsonNode a = snapshot().get("alerts");
        assertEquals(ViewModel.MAX_ALERTS, a.size());
        assertEquals("r" + (ViewModel.MAX_ALERTS + 19), a.get(0).get("rule").asText());
        assertEquals(ViewModel.MAX_ALERTS + 20, snapshot().get("alertsFiring").asInt());
    }

    @Test
    void theSnapshotIsACopy() {
        model.netFlow(national(D, 1, 0));
        Map<String, Object> before = model.snapshot();
        model.netFlow(national(D.plusDays(1), 1, 0));
        assertEquals(1, ((List<?>) ((Map<?, ?>) before.get("daily")).get("days")).size());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> texts(List<JsonNode> nodes) {
        return nodes.stream().map(JsonNode::asText).toList();
    }

    private static List<Long> longs(JsonNode array) {
        List<Long> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asLong()));
        return out;
    }

    private static List<Long> longs(List<JsonNode> nodes) {
        return nodes.stream().map(JsonNode::asLong).toList();
    }
}

package io.borderflow.app;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.borderflow.avro.Alert;
import io.borderflow.avro.NetFlowWindow;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The JSON-lines shapes of borderflow's outputs, for {@code run}'s output directory and users'
 * exports. Net-flow windows and alerts have their own documented shapes; other records are
 * written field by field. Times are ISO-8601 with the offset of the configured zone.
 */
public final class OutputJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ZoneId zone;

    public OutputJson(ZoneId zone) {
        this.zone = zone;
    }

    public String line(SpecificRecord record) {
        Map<String, Object> m;
        if (record instanceof NetFlowWindow w) {
            m = netFlow(w);
        } else if (record instanceof Alert a) {
            m = alert(a);
        } else {
            m = generic(record);
        }
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, Object> netFlow(NetFlowWindow w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("window", w.getWindow());
        m.put("windowStart", time(w.getWindowStart()));
        m.put("windowEnd", time(w.getWindowEnd()));
        m.put("dimension", w.getDimension().name().toLowerCase(Locale.ROOT));
        m.put("key", w.getKey());
        m.put("entries", w.getEntries());
        m.put("exits", w.getExits());
        m.put("net", w.getNet());
        m.put("final", w.getFinal$());
        if (w.getRevision() > 0) {
            m.put("revision", w.getRevision());
        }
        return m;
    }

    private Map<String, Object> alert(Alert a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rule", a.getRule());
        m.put("severity", a.getSeverity().name());
        m.put("dimension", a.getDimension().toLowerCase(Locale.ROOT));
        m.put("key", a.getKey());
        m.put("window", a.getWindow());
        m.put("value", a.getValue());
        m.put("threshold", a.getThreshold());
        m.put("state", a.getState().name());
        m.put("start", time(a.getStartTime()));
        m.put("end", a.getEndTime() == null ? null : time(a.getEndTime()));
        return m;
    }

    private Map<String, Object> generic(SpecificRecord r) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Schema.Field f : r.getSchema().getFields()) {
            m.put(f.name(), value(r.get(f.pos())));
        }
        return m;
    }

    private Object value(Object v) {
        if (v instanceof Instant i) {
            return time(i);
        }
        if (v instanceof ByteBuffer b) {
            ByteBuffer d = b.duplicate();
            byte[] bytes = new byte[d.remaining()];
            d.get(bytes);
            return Base64.getEncoder().encodeToString(bytes);
        }
        if (v instanceof CharSequence || v instanceof Enum<?> || v instanceof java.time.LocalDate) {
            return v.toString();
        }
        return v;
    }

    private String time(Instant i) {
        return OffsetDateTime.ofInstant(i, zone).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }
}

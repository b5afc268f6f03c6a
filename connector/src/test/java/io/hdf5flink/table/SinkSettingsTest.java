package io.hdf5flink.table;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class SinkSettingsTest {
    private static SinkSettings settings(String... keyValues) {
        Map<String, String> options = new HashMap<>(Map.of("path", "/tmp/tables"));
        for (int i = 0; i < keyValues.length; i += 2) options.put(keyValues[i], keyValues[i + 1]);
        return SinkSettings.of(Configuration.fromMap(options), Map.of());
    }

    @Test
    void directIoIsOnUnlessTheTableTurnsItOff() {
        assertTrue(settings().directIo());
        assertTrue(settings("sink.direct-io", "true").directIo());
        assertFalse(settings("sink.direct-io", "false").directIo());
    }
}

package io.borderflow.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Bytes on disk under a Kafka Streams state directory ({@code <state.dir>/<application.id>/<task>/rocksdb/<store>/...}),
 * in all and per RocksDB store (summed over tasks; a segmented store's segments count as the store).
 */
record StateSize(long totalBytes, long rocksDbBytes, Map<String, Long> storeBytes) {
    static StateSize of(Path stateDir) throws IOException {
        long[] total = {0};
        long[] rocks = {0};
        Map<String, Long> stores = new TreeMap<>();
        if (!Files.exists(stateDir)) {
            return new StateSize(0, 0, stores);
        }
        try (Stream<Path> files = Files.walk(stateDir)) {
            files.filter(Files::isRegularFile).forEach(f -> {
                long size;
                try {
                    size = Files.size(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                total[0] += size;
                Path rel = stateDir.relativize(f);
                for (int i = 0; i < rel.getNameCount() - 1; i++) {
                    if (rel.getName(i).toString().equals("rocksdb")) {
                        rocks[0] += size;
                        stores.merge(rel.getName(i + 1).toString(), size, Long::sum);
                        break;
                    }
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return new StateSize(total[0], rocks[0], stores);
    }
}

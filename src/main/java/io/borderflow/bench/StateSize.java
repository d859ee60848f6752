package io.borderflow.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Bytes on disk under a Kafka Streams state directory, in all and per RocksDB store (summed over tasks). A
 * key-value store lives in {@code <state.dir>/<application.id>/<task>/rocksdb/<store>/}; a segmented (window)
 * store in {@code <state.dir>/<application.id>/<task>/<store>/<store>.<segment>/}, and its segments count as
 * the store. Files directly in a task directory (checkpoint, lock) belong to no store.
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
                storeOf(rel).ifPresent(store -> {
                    rocks[0] += size;
                    stores.merge(store, size, Long::sum);
                });
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return new StateSize(total[0], rocks[0], stores);
    }

    /** The store a file (relative to the state directory) belongs to, if any. */
    static Optional<String> storeOf(Path rel) {
        if (rel.getNameCount() < 4) {
            return Optional.empty();
        }
        String first = rel.getName(2).toString();
        if (first.equals("rocksdb")) {
            return rel.getNameCount() >= 5 ? Optional.of(rel.getName(3).toString()) : Optional.empty();
        }
        return Optional.of(first);
    }
}

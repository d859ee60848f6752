package io.borderflow.app;

import io.borderflow.config.ConfigException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/** Tells when a stream app has processed everything on its input and internal topics. */
public final class Progression {
    private Progression() {
    }

    /**
     * Waits until the app's committed offsets reach the end of every partition it reads and stay
     * there. Internal topics are written in transactions whose commit marker takes the last offset,
     * so one offset short of the end counts as done there.
     */
    public static void awaitProcessed(Admin admin, String applicationId, List<String> inputTopics, Duration timeout)
            throws InterruptedException {
        awaitProcessed(admin, applicationId, inputTopics, timeout, Duration.ofMillis(500));
    }

    /**
     * As {@link #awaitProcessed(Admin, String, List, Duration)}, looking every {@code pollInterval}. Returns the
     * {@link System#nanoTime()} at which the final caught-up offsets were first seen, not when their stability
     * was confirmed (for timing, e.g. the benchmark).
     */
    public static long awaitProcessed(Admin admin, String applicationId, List<String> inputTopics, Duration timeout,
                                      Duration pollInterval) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> previous = null;
        int stable = 0;
        long firstSeen = 0;
        while (true) {
            Map<TopicPartition, Long> committed = committed(admin, applicationId);
            boolean inputsSeen = inputTopics.stream().allMatch(t -> committed.keySet().stream().anyMatch(tp -> tp.topic().equals(t)));
            if (inputsSeen && caughtUp(admin, committed, inputTopics)) {
                stable = committed.equals(previous) ? stable + 1 : 0;
                if (stable == 0 || firstSeen == 0) {
                    firstSeen = System.nanoTime();
                }
                if (stable >= 3) {
                    return firstSeen;
                }
            } else {
                stable = 0;
                firstSeen = 0;
            }
            previous = committed;
            if (System.nanoTime() > deadline) {
                throw new ConfigException("stream app " + applicationId + " did not finish processing within "
                        + timeout.toMinutes() + " min");
            }
            Thread.sleep(pollInterval.toMillis());
        }
    }

    private static boolean caughtUp(Admin admin, Map<TopicPartition, Long> committed, List<String> inputTopics) {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        committed.keySet().forEach(tp -> request.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, Long> ends = new HashMap<>();
        try {
            admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get()
                    .forEach((tp, info) -> ends.put(tp, info.offset()));
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        for (Map.Entry<TopicPartition, Long> e : committed.entrySet()) {
            long behind = ends.getOrDefault(e.getKey(), 0L) - e.getValue();
            long allowed = inputTopics.contains(e.getKey().topic()) ? 0 : 1;
            if (behind > allowed) {
                return false;
            }
        }
        return true;
    }

    private static Map<TopicPartition, Long> committed(Admin admin, String groupId) {
        Map<TopicPartition, Long> out = new HashMap<>();
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get();
            offsets.forEach((tp, om) -> {
                if (om != null) {
                    out.put(tp, om.offset());
                }
            });
        } catch (ExecutionException e) {
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }
}

package io.inpainterz.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inpainterz.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** --shard i/n and auto (Slurm arrays, Kubernetes Indexed Jobs): every job in exactly one shard. */
class ShardTest {
    static final Map<String, String> NO_ENV = Map.of();

    @Test
    void theShardsOfAManifestHoldEveryJobExactlyOnce() {
        for (int n = 1; n <= 5; n++) {
            int[] seen = new int[13];
            for (int i = 0; i < n; i++) {
                Shard s = Shard.parse(i + "/" + n, null, NO_ENV::get);
                assertEquals(new Shard(i, n), s);
                for (int job = 0; job < seen.length; job++) if (s.contains(job)) seen[job]++;
            }
            for (int job = 0; job < seen.length; job++) assertEquals(1, seen[job], "job " + job + " of " + n + " shards");
        }
        List<Integer> shard1of3 = new ArrayList<>();
        for (int job = 0; job < 10; job++) if (new Shard(1, 3).contains(job)) shard1of3.add(job);
        assertEquals(List.of(1, 4, 7), shard1of3, "index mod n = i");
        assertTrue(Shard.all().contains(0) && Shard.all().contains(41));
    }

    @Test
    void autoTakesTheTaskFromASlurmArray() {
        // sbatch --array=1-4: tasks 1..4 are shards 0..3 of 4.
        for (int id = 1; id <= 4; id++) {
            Map<String, String> env = Map.of("SLURM_ARRAY_TASK_ID", String.valueOf(id), "SLURM_ARRAY_TASK_MIN", "1", "SLURM_ARRAY_TASK_COUNT", "4");
            assertEquals(new Shard(id - 1, 4), Shard.parse("auto", null, env::get));
        }
        // --array=10-16:3: tasks 10, 13, 16.
        Map<String, String> stepped = Map.of("SLURM_ARRAY_TASK_ID", "16", "SLURM_ARRAY_TASK_MIN", "10", "SLURM_ARRAY_TASK_COUNT", "3",
                "SLURM_ARRAY_TASK_STEP", "3");
        assertEquals(new Shard(2, 3), Shard.parse("auto", null, stepped::get));
        Map<String, String> first = Map.of("SLURM_ARRAY_TASK_ID", "0", "SLURM_ARRAY_TASK_MIN", "0", "SLURM_ARRAY_TASK_COUNT", "2");
        assertEquals(new Shard(0, 2), Shard.parse("auto", 2, first::get), "a matching --shards is allowed");
        fails("differs", () -> Shard.parse("auto", 3, first::get));
        // --array=1,4,9: not evenly spaced.
        Map<String, String> sparse = Map.of("SLURM_ARRAY_TASK_ID", "9", "SLURM_ARRAY_TASK_MIN", "1", "SLURM_ARRAY_TASK_COUNT", "3");
        fails("evenly spaced", () -> Shard.parse("auto", null, sparse::get));
        fails("SLURM_ARRAY_TASK_COUNT", () -> Shard.parse("auto", null, Map.of("SLURM_ARRAY_TASK_ID", "1")::get));
    }

    @Test
    void autoTakesTheIndexFromAKubernetesIndexedJobAndTheCountFromShards() {
        Map<String, String> env = Map.of("JOB_COMPLETION_INDEX", "2");
        assertEquals(new Shard(2, 5), Shard.parse("auto", 5, env::get));
        fails("needs --shards N", () -> Shard.parse("auto", null, env::get));
        fails("not below --shards 2", () -> Shard.parse("auto", 2, env::get));
        Map<String, String> both = Map.of("JOB_COMPLETION_INDEX", "0", "SLURM_ARRAY_TASK_ID", "3", "SLURM_ARRAY_TASK_MIN", "0", "SLURM_ARRAY_TASK_COUNT", "4");
        assertEquals(new Shard(3, 4), Shard.parse("auto", null, both::get), "Slurm first");
    }

    @Test
    void badShardsAreClearErrors() {
        fails("neither a Slurm job array", () -> Shard.parse("auto", null, NO_ENV::get));
        fails("0 <= i < n", () -> Shard.parse("2/2", null, NO_ENV::get));
        fails("0 <= i < n", () -> Shard.parse("0/0", null, NO_ENV::get));
        fails("0 <= i < n", () -> Shard.parse("-1/2", null, NO_ENV::get));
        fails("i/n", () -> Shard.parse("1", null, NO_ENV::get));
        fails("not an integer", () -> Shard.parse("a/2", null, NO_ENV::get));
        fails("goes with --shard auto", () -> Shard.parse("0/2", 2, NO_ENV::get));
        fails("not an integer", () -> Shard.parse("auto", 2, Map.of("JOB_COMPLETION_INDEX", "x")::get));
    }

    private static void fails(String part, org.junit.jupiter.api.function.Executable e) {
        InvalidInputException x = assertThrows(InvalidInputException.class, e);
        assertTrue(x.getMessage().contains(part), part + " <- " + x.getMessage());
    }
}

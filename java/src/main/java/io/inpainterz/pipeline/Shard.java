package io.inpainterz.pipeline;

import io.inpainterz.InvalidInputException;
import java.util.function.Function;

/**
 * Shard {@code index} of {@code count}: the jobs whose index mod {@code count} is {@code index}.
 * The {@code count} shards of a manifest hold every job exactly once.
 */
public record Shard(int index, int count) {
    public Shard {
        if (count < 1 || index < 0 || index >= count) throw new InvalidInputException("shard " + index + "/" + count + " must have 0 <= i < n");
    }

    public static Shard all() {
        return new Shard(0, 1);
    }

    public boolean contains(int job) {
        return job % count == index;
    }

    /**
     * {@code "i/n"}, or {@code "auto"}: from a Slurm job array ({@code SLURM_ARRAY_TASK_ID -
     * SLURM_ARRAY_TASK_MIN}, divided by {@code SLURM_ARRAY_TASK_STEP} when there is one, of
     * {@code SLURM_ARRAY_TASK_COUNT}), else from a Kubernetes Indexed Job
     * ({@code JOB_COMPLETION_INDEX} of {@code shards}, the Job's completions, which its
     * environment does not carry). {@code shards} (null: not given) goes with {@code auto} only;
     * with Slurm it must equal the array's count. {@code env} looks up environment variables.
     */
    public static Shard parse(String spec, Integer shards, Function<String, String> env) {
        String s = spec.strip();
        if (!s.equals("auto")) {
            if (shards != null) throw new InvalidInputException("--shards N goes with --shard auto (with --shard i/n, n is the count)");
            int slash = s.indexOf('/');
            if (slash < 0) throw new InvalidInputException("--shard takes i/n (0 <= i < n) or auto, got '" + spec + "'");
            int i = integer(s.substring(0, slash), "--shard " + spec), n = integer(s.substring(slash + 1), "--shard " + spec);
            if (n < 1 || i < 0 || i >= n) throw new InvalidInputException("--shard " + spec + ": needs 0 <= i < n");
            return new Shard(i, n);
        }
        if (shards != null && shards < 1) throw new InvalidInputException("--shards must be at least 1, got " + shards);
        String task = env.apply("SLURM_ARRAY_TASK_ID");
        if (task != null) {
            String min = env.apply("SLURM_ARRAY_TASK_MIN"), count = env.apply("SLURM_ARRAY_TASK_COUNT"), step = env.apply("SLURM_ARRAY_TASK_STEP");
            if (min == null || count == null) throw new InvalidInputException("--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_MIN or SLURM_ARRAY_TASK_COUNT is not");
            int id = integer(task, "SLURM_ARRAY_TASK_ID"), lo = integer(min, "SLURM_ARRAY_TASK_MIN"), n = integer(count, "SLURM_ARRAY_TASK_COUNT");
            int by = step == null ? 1 : integer(step, "SLURM_ARRAY_TASK_STEP");
            if (by < 1) throw new InvalidInputException("--shard auto: SLURM_ARRAY_TASK_STEP is " + by);
            if (shards != null && shards != n) throw new InvalidInputException("--shards " + shards + " differs from the Slurm array's " + n + " tasks");
            int i = (id - lo) / by;
            // An array like --array=1,4,9 has no arithmetic layout: its task ids cannot number the shards.
            if (n < 1 || id < lo || (id - lo) % by != 0 || i >= n) {
                throw new InvalidInputException("--shard auto: Slurm task " + id + " (min " + lo + ", step " + by + ", " + n + " tasks) is not task i of 0..n-1 "
                        + "of an evenly spaced array (use --array=0-N or A-B:S)");
            }
            return new Shard(i, n);
        }
        String index = env.apply("JOB_COMPLETION_INDEX");
        if (index != null) {
            if (shards == null) throw new InvalidInputException("--shard auto in a Kubernetes Indexed Job needs --shards N (the Job's completions)");
            int i = integer(index, "JOB_COMPLETION_INDEX");
            if (i < 0 || i >= shards) throw new InvalidInputException("JOB_COMPLETION_INDEX " + i + " is not below --shards " + shards);
            return new Shard(i, shards);
        }
        throw new InvalidInputException("--shard auto: neither a Slurm job array (SLURM_ARRAY_TASK_ID) nor a Kubernetes Indexed Job "
                + "(JOB_COMPLETION_INDEX) is in the environment; give --shard i/n");
    }

    private static int integer(String s, String what) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(what + ": '" + s + "' is not an integer");
        }
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}

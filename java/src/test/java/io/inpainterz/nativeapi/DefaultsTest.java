package io.inpainterz.nativeapi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Params structs start from their C {@code *_default_params()} and Java changes only what the caller changed. */
class DefaultsTest {
    private static byte[] bytes(MemorySegment s, StructLayout l) {
        return s.asSlice(0, l.byteSize()).toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void untouchedBuildersWriteExactlyTheCDefaults() {
        try (Arena a = Arena.ofConfined()) {
            assertArrayEquals(bytes(SamBindings.amgDefaultStruct(a), SamBindings.SAM_AMG_PARAMS),
                    bytes(SamBindings.amgParams(io.inpainterz.engine.AmgOptions.defaults(), a), SamBindings.SAM_AMG_PARAMS));
            assertArrayEquals(bytes(VideoBindings.writerDefaultStruct(a), VideoBindings.VIDEO_WRITER_PARAMS),
                    bytes(VideoBindings.writerParams(io.inpainterz.engine.VideoWriter.Options.defaults(), a), VideoBindings.VIDEO_WRITER_PARAMS),
                    "the default preset must stay the library's own string, not a copy");
            assertArrayEquals(bytes(CheckpointBindings.defaultStruct(a), CheckpointBindings.CHECKPOINT_PARAMS),
                    bytes(CheckpointBindings.checkpointParams(new CheckpointBindings.CheckpointParams(io.inpainterz.engine.Checkpoint.Options.defaults().useMmap()), a),
                            CheckpointBindings.CHECKPOINT_PARAMS));
            assertArrayEquals(bytes(SamBindings.samDefaultStruct(a), SamBindings.SAM_PARAMS),
                    bytes(SamBindings.samParams(SamBindings.samDefaults(), a), SamBindings.SAM_PARAMS));
            assertArrayEquals(bytes(DeaotBindings.sessionDefaultStruct(a), DeaotBindings.SESSION_PARAMS),
                    bytes(DeaotBindings.sessionParams(io.inpainterz.engine.Tracker.SessionOptions.defaults(), a), DeaotBindings.SESSION_PARAMS));
            assertArrayEquals(bytes(E2fgviBindings.sessionDefaultStruct(a), E2fgviBindings.SESSION_PARAMS),
                    bytes(E2fgviBindings.sessionParams(io.inpainterz.engine.Inpainter.SessionOptions.defaults(), a), E2fgviBindings.SESSION_PARAMS));
            assertArrayEquals(bytes(E2fgviBindings.defaultStruct(a), E2fgviBindings.E2FGVI_PARAMS),
                    bytes(E2fgviBindings.params(E2fgviBindings.deviceDefaults(), a), E2fgviBindings.E2FGVI_PARAMS));
            assertArrayEquals(bytes(LibraryBindings.runDefaults(a), LibraryBindings.RUN), bytes(LibraryBindings.run(a, null, null, 0), LibraryBindings.RUN));
        }
    }

    /** A record naming a subset of the AMG fields: the rest keep their C defaults. */
    record Amg(int pointsPerSide, double boxNmsThresh) {}

    @Test
    void oneChangedFieldChangesOnlyThatField() {
        try (Arena a = Arena.ofConfined()) {
            Amg d = SamBindings.amgDefaults(Amg.class);
            assertEquals(io.inpainterz.engine.AmgOptions.defaults().pointsPerSide(), d.pointsPerSide());
            byte[] base = bytes(SamBindings.amgParams(d, a), SamBindings.SAM_AMG_PARAMS);
            byte[] changed = bytes(SamBindings.amgParams(new Amg(d.pointsPerSide() + 1, d.boxNmsThresh()), a), SamBindings.SAM_AMG_PARAMS);
            long at = SamBindings.SAM_AMG_PARAMS.byteOffset(MemoryLayout.PathElement.groupElement("points_per_side"));
            for (int i = 0; i < base.length; i++) {
                if (i >= at && i < at + 4) continue;
                assertEquals(base[i], changed[i], "byte " + i + " outside points_per_side changed");
            }
            assertNotEquals(base[(int) at], changed[(int) at]);
        }
    }
}

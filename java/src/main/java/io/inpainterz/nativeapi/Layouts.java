package io.inpainterz.nativeapi;

import java.lang.foreign.StructLayout;
import java.util.List;

/** Every public struct of inpainterz.h as Java lays it out; the layout test checks each against the C compiler. */
public final class Layouts {
    private Layouts() {}

    public static final List<StructLayout> ALL = List.of(
            LibraryBindings.RUN, LibraryBindings.DEVICE_PARAMS,
            CheckpointBindings.TENSOR_INFO, CheckpointBindings.CHECKPOINT_PARAMS, CheckpointBindings.MODEL_INFO,
            ImageBindings.IMAGE,
            VideoBindings.VIDEO_INFO, VideoBindings.VIDEO_WRITER_PARAMS,
            SamBindings.SAM_PARAMS, SamBindings.SAM_PROMPT, SamBindings.SAM_OUTPUTS, SamBindings.SAM_AMG_PARAMS, SamBindings.SAM_MASK_INFO,
            DeaotBindings.DEAOT_PARAMS, DeaotBindings.SESSION_PARAMS, DeaotBindings.INFO,
            E2fgviBindings.E2FGVI_PARAMS, E2fgviBindings.SESSION_PARAMS, E2fgviBindings.INFO,
            ClassicalBindings.GRABCUT_PARAMS, ClassicalBindings.TRACKER_PARAMS, ClassicalBindings.INPAINTER_PARAMS, ClassicalBindings.STATS);
}

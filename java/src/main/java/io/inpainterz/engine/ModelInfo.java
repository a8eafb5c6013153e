package io.inpainterz.engine;

/**
 * What a checkpoint holds, read from its keys and shapes.
 *
 * @param variant     e.g. "vit_b", "DeAOT-T (MobileNetV2, 1 layer)", "E2FGVI (8 blocks)"
 * @param wrapper     where the state dict was found: "" (top level), "state_dict", "model", ...,
 *                    with "+module." when that key prefix was stripped
 * @param numElements parameters and buffers, summed
 */
public record ModelInfo(ModelFamily family, CheckpointFormat format, String variant, String wrapper,
                        long numTensors, long numElements, long numBytes) {}

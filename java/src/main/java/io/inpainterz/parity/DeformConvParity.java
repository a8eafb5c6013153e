package io.inpainterz.parity;

import io.inpainterz.engine.DType;
import io.inpainterz.engine.Engine;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * E2FGVI's modulated deformable convolution alone (fixture README "mmcv shim"): the {@code dcn}
 * (E2FGVI's configuration: 3x3, stride 1, pad 1, 16 deform groups) and {@code dcn_general}
 * (stride 2, pad 2, dilation 2, 2 weight groups, 2 deform groups) arrays of an e2fgvi case, each
 * through the engine's kernel and through the ATen reference, against the fixture's
 * torchvision output with case.json's tolerance ({@code files/<name>_output.npy/tolerance}).
 * Parameters come from {@code tolerances/dcn/<name>/params}.
 */
public final class DeformConvParity {
    private DeformConvParity() {}

    /** The fixture arrays' prefixes. */
    public static final List<String> NAMES = List.of("dcn", "dcn_general");

    /** Four stages per case: {@code <name> kernel} and {@code <name> reference} for each of {@link #NAMES}. */
    public static List<StageResult> run(ParityCase c) {
        List<StageResult> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            for (String name : NAMES) out.addAll(runOne(c, name, arena));
        }
        return out;
    }

    private static List<StageResult> runOne(ParityCase c, String name, Arena arena) {
        Object params = io.inpainterz.util.Json.at(c.json(), "tolerances", "dcn", name, "params");
        Object tolerance = io.inpainterz.util.Json.at(c.json(), "files", name + "_output.npy", "tolerance");
        if (!(params instanceof Map<?, ?> p) || tolerance == null) {
            return List.of(new StageResult(c.id(), name, false, "case.json has no tolerances/dcn/" + name + "/params or files/" + name
                    + "_output.npy/tolerance"));
        }
        int stride = square(p, "stride"), padding = square(p, "padding"), dilation = square(p, "dilation");
        int groups = ((Number) p.get("groups")).intValue(), deformGroups = ((Number) p.get("deform_groups")).intValue();
        NdArray input = read(c, name, "input", arena), offset = read(c, name, "offset", arena), mask = read(c, name, "mask", arena);
        NdArray weight = read(c, name, "weight", arena), bias = read(c, name, "bias", arena), want = read(c, name, "output", arena);
        long[] is = input.shape(), ws = weight.shape();
        int kh = square(p, "kernel_size");
        if (stride < 0 || padding < 0 || dilation < 0 || kh < 0 || ws.length != 4 || ws[2] != kh || ws[3] != kh) {
            return List.of(new StageResult(c.id(), name, false, "non-square parameters or a kernel other than the weight's "
                    + java.util.Arrays.toString(ws) + ": " + p + " (the diagnostic takes square ones)"));
        }
        for (NdArray a : List.of(input, offset, mask, weight, bias)) {
            if (a.dtype() != DType.F32) return List.of(new StageResult(c.id(), name, false, name + " arrays must be float32, got " + a));
        }
        long[] size = Engine.deformConvOutputSize(is[2], is[3], kh, kh, stride, padding, dilation);
        long[] outShape = {is[0], ws[0], size[0], size[1]};
        List<StageResult> out = new ArrayList<>();
        for (boolean reference : new boolean[] {false, true}) {
            MemorySegment got = arena.allocate(4 * NdArray.numElements(outShape), 64);
            Engine.modulatedDeformConv(input.data(), offset.data(), mask.data(), weight.data(), bias.data(), is[0], is[1], is[2], is[3], ws[0],
                    kh, kh, stride, padding, dilation, groups, deformGroups, reference, got);
            Tolerance tol = Tolerance.of(tolerance);
            out.add(StageResult.numeric(c.id(), name + (reference ? " reference" : " kernel"),
                    Comparison.compare(new NdArray(DType.F32, outShape, got), want, tol), tol));
        }
        return out;
    }

    private static NdArray read(ParityCase c, String name, String what, Arena arena) {
        return Npy.read(c.dir().resolve(name + "_" + what + ".npy"), arena);
    }

    /** A [v, v] entry's v, or -1 when it is not square. */
    private static int square(Map<?, ?> params, String key) {
        if (!(params.get(key) instanceof List<?> l) || l.size() != 2 || !(l.get(0) instanceof Number a) || !(l.get(1) instanceof Number b)
                || a.intValue() != b.intValue()) {
            return -1;
        }
        return a.intValue();
    }
}

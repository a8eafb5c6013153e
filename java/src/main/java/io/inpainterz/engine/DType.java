package io.inpainterz.engine;

/** Mirrors {@code enum inp_dtype}. */
public enum DType {
    UNKNOWN(0, 0, "unknown"),
    F32(1, 4, "float32"),
    F16(2, 2, "float16"),
    BF16(3, 2, "bfloat16"),
    F64(4, 8, "float64"),
    I64(5, 8, "int64"),
    I32(6, 4, "int32"),
    I16(7, 2, "int16"),
    I8(8, 1, "int8"),
    U8(9, 1, "uint8"),
    BOOL(10, 1, "bool");

    private final int code;
    private final int byteSize;
    private final String pythonName;

    DType(int code, int byteSize, String pythonName) {
        this.code = code;
        this.byteSize = byteSize;
        this.pythonName = pythonName;
    }

    public int code() {
        return code;
    }

    public int byteSize() {
        return byteSize;
    }

    /** numpy / torch spelling: "float32", "int64", ... */
    public String pythonName() {
        return pythonName;
    }

    public static DType of(int code) {
        for (DType d : values()) {
            if (d.code == code) return d;
        }
        return UNKNOWN;
    }

    public static DType ofPythonName(String name) {
        for (DType d : values()) {
            if (d.pythonName.equals(name)) return d;
        }
        return UNKNOWN;
    }
}

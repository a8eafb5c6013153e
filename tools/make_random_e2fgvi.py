"""Writes an E2FGVI or E2FGVI-HQ checkpoint of the official shapes (8 transformer blocks by default)
with random weights, for benchmarks (timings do not depend on the values). Needs numpy, not torch.

The keys, shapes and dtypes come from a 2-block parity fixture's case.json (weights.keys), with
the blocks of transformer.1 repeated as transformer.2 .. transformer.<depth-1>. The structural
int64 buffers `transformer.N.attn.valid_ind_rolled` are copied from the fixture's weights.pth
(read here without torch), never random. E2FGVI is written in the legacy torch.save format and
E2FGVI-HQ in the zip format, as the official E2FGVI-CVPR22.pth and E2FGVI-HQ-CVPR22.pth are.

Usage: python3 tools/make_random_e2fgvi.py {e2fgvi,e2fgvi_hq} OUT.pth [--depth 8] [--fixtures ../shared/parity]
"""
import argparse
import collections
import json
import os
import pickle
import struct
import sys
import zipfile

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from torchsave import Storage, Tensor, save  # noqa: E402

FIXTURE = {"e2fgvi": "e2fgvi/e2fgvi_d2", "e2fgvi_hq": "e2fgvi/e2fgvi_hq_d2"}
_DTYPES = {"FloatStorage": "<f4", "LongStorage": "<i8", "IntStorage": "<i4", "HalfStorage": "<f2", "ByteStorage": "u1", "BoolStorage": "?"}


class _StorageType:
    def __init__(self, name):
        self.name = name


class _StorageRef:
    """A storage of the checkpoint being read; its bytes are filled in once they are found."""

    def __init__(self, kind, key, numel):
        self.dtype, self.key, self.numel, self.data = np.dtype(_DTYPES[kind]), key, numel, None


def _rebuild(storage, offset, shape, stride, *_):
    return ("tensor", storage, offset, tuple(shape), tuple(stride))


class _Reader(pickle.Unpickler):
    """Restricted: only an (ordered) dict of tensors and storages, nothing that runs code."""

    def __init__(self, f, storages):
        super().__init__(f)
        self.storages = storages

    def find_class(self, module, name):
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild
        if module == "torch" and name in _DTYPES:
            return _StorageType(name)
        raise pickle.UnpicklingError(f"refusing global {module}.{name}")

    def persistent_load(self, pid):
        _, kind, key, _location, numel = pid[:5]
        if key not in self.storages:
            self.storages[key] = _StorageRef(kind.name, key, numel)
        return self.storages[key]


def read_state_dict(path):
    """The tensors of a torch.save checkpoint (zip or legacy) as numpy arrays, without torch."""
    storages = {}
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            prefix = next(n for n in names if n.endswith("/data.pkl"))[: -len("data.pkl")]
            sd = _Reader(z.open(prefix + "data.pkl"), storages).load()
            for key, s in storages.items():
                s.data = z.read(f"{prefix}data/{key}")
    else:
        with open(path, "rb") as f:
            for _ in range(3):  # magic number, protocol version, system info
                pickle.load(f)
            sd = _Reader(f, storages).load()
            keys = pickle.load(f)
            for key in keys:
                (numel,) = struct.unpack("<q", f.read(8))
                s = storages[key]
                s.data = f.read(numel * s.dtype.itemsize)
    out = collections.OrderedDict()
    for name, (_, s, offset, shape, stride) in sd.items():
        flat = np.frombuffer(s.data, dtype=s.dtype)
        item = s.dtype.itemsize
        out[name] = np.lib.stride_tricks.as_strided(flat[offset:], shape=shape, strides=[st * item for st in stride]).copy()
    return out


def keys(case, depth):
    """The fixture's (name, shape, dtype) list with the keys of transformer.1 repeated as blocks 1..depth-1, in order."""
    entries = [tuple(e) for e in case["weights"]["keys"]]
    block = lambda e: int(e[0].split(".")[1]) if e[0].startswith("transformer.") else None  # noqa: E731
    if sorted({block(e) for e in entries if block(e) is not None}) != [0, 1]:
        raise SystemExit("the fixture must have exactly 2 transformer blocks (transformer.0, transformer.1)")
    first = next(i for i, e in enumerate(entries) if block(e) is not None)
    b0 = [e for e in entries if block(e) == 0]
    b1 = [(e[0][len("transformer.1."):], e[1], e[2]) for e in entries if block(e) == 1]
    blocks = b0 + [(f"transformer.{b}.{n}", shape, dtype) for b in range(1, depth) for n, shape, dtype in b1]
    rest = [e for e in entries if block(e) is None]
    return rest[:first] + blocks + rest[first:]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", choices=sorted(FIXTURE))
    ap.add_argument("out")
    ap.add_argument("--depth", type=int, default=8)
    ap.add_argument("--fixtures", default=os.environ.get("INPAINTERZ_PARITY_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "parity")))
    a = ap.parse_args()
    if a.depth < 1:
        raise SystemExit("--depth must be >= 1")
    fixture = os.path.join(a.fixtures, FIXTURE[a.model])
    with open(os.path.join(fixture, "case.json")) as f:
        case = json.load(f)
    fixture_sd = read_state_dict(os.path.join(fixture, "weights.pth"))
    valid = fixture_sd["transformer.0.attn.valid_ind_rolled"]
    assert valid.dtype == np.int64 and np.array_equal(valid, fixture_sd["transformer.1.attn.valid_ind_rolled"]), "blocks disagree on valid_ind_rolled"

    rng = np.random.default_rng(0)
    sd, storages = collections.OrderedDict(), []
    for name, shape, dtype in keys(case, a.depth):
        n = int(np.prod(shape)) if shape else 1
        if name.endswith("attn.valid_ind_rolled"):
            assert list(valid.shape) == list(shape), (name, shape, valid.shape)
            v, kind = valid.astype("<i8"), "LongStorage"
        else:
            assert dtype == "float32", (name, dtype)
            if name == "update_spynet.mean":  # SPyNet's ImageNet normalisation, as in the official files
                v = np.array([0.485, 0.456, 0.406], dtype="<f4")
            elif name == "update_spynet.std":
                v = np.array([0.229, 0.224, 0.225], dtype="<f4")
            else:
                fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
                scale = 1.0 / np.sqrt(fan_in) if name.endswith("weight") and len(shape) > 1 else 0.02
                v = rng.standard_normal(n, dtype=np.float32) * np.float32(scale)
                if ("norm" in name) and name.endswith(".weight") and len(shape) == 1:
                    v += 1
            v, kind = v.astype("<f4"), "FloatStorage"
        s = Storage(kind, str(len(storages)), v.tobytes())
        storages.append(s)
        sd[name] = Tensor(s, 0, shape)
    save(sd, storages, a.out, legacy=(a.model == "e2fgvi"))
    print(f"{a.out}: {a.model}, {a.depth} blocks, {len(sd)} tensors, {sum(len(s.data) for s in storages)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()

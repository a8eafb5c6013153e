"""Writes torch.save-format checkpoints (zip or legacy) without torch installed.

Fake `torch` modules give pickle the same globals and persistent ids torch.save emits. Used
for fuzz seeds (native/fuzz) and for random-weight benchmark checkpoints (tools/make_random_sam.py).
"""
import collections
import io
import pickle
import struct
import sys
import types
import zipfile

_torch = sys.modules.setdefault("torch", types.ModuleType("torch"))
_utils = sys.modules.setdefault("torch._utils", types.ModuleType("torch._utils"))


def _rebuild_tensor_v2(*args):
    raise AssertionError("only pickled, never called")


_rebuild_tensor_v2.__module__ = "torch._utils"
_utils._rebuild_tensor_v2 = _rebuild_tensor_v2

_DTYPES = {"FloatStorage": 4, "LongStorage": 8, "HalfStorage": 2, "IntStorage": 4, "ByteStorage": 1, "BoolStorage": 1}
for _name in _DTYPES:
    setattr(_torch, _name, type(_name, (), {"__module__": "torch"}))


class Storage:
    def __init__(self, kind, key, data):
        self.cls, self.key, self.data = getattr(_torch, kind), key, bytes(data)
        self.numel = len(self.data) // _DTYPES[kind]


class Tensor:
    """A strided view of a Storage, pickled as torch._utils._rebuild_tensor_v2."""

    def __init__(self, storage, offset, shape, stride=None):
        if stride is None:
            stride, acc = [], 1
            for d in reversed(shape):
                stride.insert(0, acc)
                acc *= d
        self.args = (storage, offset, tuple(shape), tuple(stride), False, collections.OrderedDict())

    def __reduce__(self):
        return (_rebuild_tensor_v2, self.args)


class _Pickler(pickle.Pickler):
    def __init__(self, file, legacy):
        super().__init__(file, protocol=2)
        self.legacy = legacy

    def persistent_id(self, obj):
        if not isinstance(obj, Storage):
            return None
        pid = ("storage", obj.cls, obj.key, "cpu", obj.numel)
        return pid + (None,) if self.legacy else pid


def _dumps(obj, legacy):
    buf = io.BytesIO()
    _Pickler(buf, legacy).dump(obj)
    return buf.getvalue()


def save(obj, storages, path, legacy=False):
    """Writes `obj` (which references `storages`) to `path` in torch.save's zip or legacy format."""
    if not legacy:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
            z.writestr("archive/data.pkl", _dumps(obj, False))
            z.writestr("archive/byteorder", "little")
            z.writestr("archive/version", "3\n")  # torch.load refuses an archive without it
            for s in storages:
                z.writestr(f"archive/data/{s.key}", s.data)
        return
    with open(path, "wb") as f:
        f.write(pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2))
        f.write(pickle.dumps(1001, protocol=2))
        f.write(pickle.dumps({"protocol_version": 1001, "little_endian": True}, protocol=2))
        f.write(_dumps(obj, True))
        f.write(pickle.dumps([s.key for s in storages], protocol=2))
        for s in storages:
            f.write(struct.pack("<q", s.numel) + s.data)

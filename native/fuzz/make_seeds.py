"""Writes small torch.save-style checkpoints (zip and legacy) as fuzz seeds, without torch.

Fake `torch` modules give pickle the same globals and persistent ids torch.save emits, so the
seeds exercise every path of the reader while staying a few hundred bytes long.
Usage: python3 make_seeds.py OUT_DIR
"""
import collections
import io
import pickle
import struct
import sys
import types
import zipfile

torch = types.ModuleType("torch")
utils = types.ModuleType("torch._utils")
sys.modules["torch"], sys.modules["torch._utils"] = torch, utils


def _rebuild_tensor_v2(*args):
    raise AssertionError("never called")


_rebuild_tensor_v2.__module__ = "torch._utils"
utils._rebuild_tensor_v2 = _rebuild_tensor_v2


class Storage:
    def __init__(self, cls, key, numel, data):
        self.cls, self.key, self.numel, self.data = cls, key, numel, data


def storage_class(name):
    cls = type(name, (), {"__module__": "torch"})
    setattr(torch, name, cls)
    return cls


Float, Long, Half = storage_class("FloatStorage"), storage_class("LongStorage"), storage_class("HalfStorage")


class Tensor:
    def __init__(self, storage, offset, shape, stride):
        self.args = (storage, offset, tuple(shape), tuple(stride), False, collections.OrderedDict())

    def __reduce__(self):
        return (_rebuild_tensor_v2, self.args)


def state():
    f = Storage(Float, "0", 6, struct.pack("<6f", *range(6)))
    l = Storage(Long, "1", 2, struct.pack("<2q", -1, 7))
    h = Storage(Half, "2", 3, b"\x00\x3c\x00\x40\x00\x42")
    sd = collections.OrderedDict()
    sd["module.a"] = Tensor(f, 0, [2, 3], [3, 1])
    sd["module.b"] = Tensor(f, 2, [2], [2])
    sd["module.c"] = Tensor(l, 0, [2], [1])
    sd["module.d"] = Tensor(h, 1, [2], [1])
    return {"state_dict": sd, "epoch": 3, "lr": 0.5, "names": ["x", None, True]}, [f, l, h]


class Pickler(pickle.Pickler):
    def __init__(self, file, legacy):
        super().__init__(file, protocol=2)
        self.legacy = legacy

    def persistent_id(self, obj):
        if not isinstance(obj, Storage):
            return None
        pid = ("storage", obj.cls, obj.key, "cpu", obj.numel)
        return pid + (None,) if self.legacy else pid


def dumps(obj, legacy=False):
    buf = io.BytesIO()
    Pickler(buf, legacy).dump(obj)
    return buf.getvalue()


def main(out):
    obj, storages = state()
    with zipfile.ZipFile(f"{out}/seed_zip.pth", "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", dumps(obj))
        z.writestr("archive/byteorder", "little")
        for s in storages:
            z.writestr(f"archive/data/{s.key}", s.data)
    with open(f"{out}/seed_legacy.pth", "wb") as f:
        f.write(pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2))
        f.write(pickle.dumps(1001, protocol=2))
        f.write(pickle.dumps({"protocol_version": 1001, "little_endian": True}, protocol=2))
        f.write(dumps(obj, legacy=True))
        f.write(pickle.dumps([s.key for s in storages], protocol=2))
        for s in storages:
            f.write(struct.pack("<q", s.numel) + s.data)


if __name__ == "__main__":
    main(sys.argv[1])

"""Writes small torch.save-style checkpoints (zip and legacy) as fuzz seeds, without torch.
Usage: python3 make_seeds.py OUT_DIR
"""
import collections
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
from torchsave import Storage, Tensor, save  # noqa: E402


def main(out):
    f = Storage("FloatStorage", "0", struct.pack("<6f", *range(6)))
    l = Storage("LongStorage", "1", struct.pack("<2q", -1, 7))
    h = Storage("HalfStorage", "2", b"\x00\x3c\x00\x40\x00\x42")
    sd = collections.OrderedDict()
    sd["module.a"] = Tensor(f, 0, [2, 3])
    sd["module.b"] = Tensor(f, 2, [2], [2])
    sd["module.c"] = Tensor(l, 0, [2])
    sd["module.d"] = Tensor(h, 1, [2])
    obj = {"state_dict": sd, "epoch": 3, "lr": 0.5, "names": ["x", None, True]}
    save(obj, [f, l, h], f"{out}/seed_zip.pth")
    save(obj, [f, l, h], f"{out}/seed_legacy.pth", legacy=True)


if __name__ == "__main__":
    main(sys.argv[1])

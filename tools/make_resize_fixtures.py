#!/usr/bin/env python3
"""Writes native/tests/data/resize/*.npy: Pillow's Image.resize of a small RGB image and a mask
with NEAREST, BILINEAR and BICUBIC to a few sizes (up and down, odd), the expectations of
test_images (inp_image_resize is Pillow-exact). Needs numpy and Pillow; made with Pillow 12.3.0.
Usage: python3 tools/make_resize_fixtures.py"""
import os
import numpy as np
from PIL import Image

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'native', 'tests', 'data', 'resize')
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
y, x = np.mgrid[0:37, 0:53]
rgb = np.stack([(x * 5) % 256, (y * 7) % 256, ((x + y) * 3) % 256], -1).astype(np.uint8)
rgb = np.clip(rgb.astype(int) + rng.integers(-40, 40, rgb.shape), 0, 255).astype(np.uint8)
mask = ((x // 5 + y // 4) % 3 == 0).astype(np.uint8) * 255
np.save(os.path.join(out, 'rgb.npy'), rgb)
np.save(os.path.join(out, 'mask.npy'), mask)
filters = {'nearest': Image.NEAREST, 'bilinear': Image.BILINEAR, 'bicubic': Image.BICUBIC}
for w, h in [(20, 11), (53, 80), (120, 37), (101, 61)]:
    for name, f in filters.items():
        np.save(os.path.join(out, f'rgb_{name}_{w}x{h}.npy'), np.array(Image.fromarray(rgb).resize((w, h), f)))
        np.save(os.path.join(out, f'mask_{name}_{w}x{h}.npy'), np.array(Image.fromarray(mask).resize((w, h), f)))

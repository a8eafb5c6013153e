"""Writes a SAM checkpoint of the real vit_b / vit_l / vit_h shapes with random weights, for
benchmarks (timings do not depend on the values). Needs numpy, not torch.
Usage: python3 tools/make_random_sam.py {vit_b,vit_l,vit_h} OUT.pth
"""
import collections
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from torchsave import Storage, Tensor, save  # noqa: E402

VARIANTS = {"vit_b": (768, 12, 12, [2, 5, 8, 11]), "vit_l": (1024, 24, 16, [5, 11, 17, 23]), "vit_h": (1280, 32, 16, [7, 15, 23, 31])}


def shapes(variant):
    C, depth, heads, global_blocks = VARIANTS[variant]
    hd = C // heads
    s = collections.OrderedDict()
    s["image_encoder.pos_embed"] = [1, 64, 64, C]
    s["image_encoder.patch_embed.proj.weight"] = [C, 3, 16, 16]
    s["image_encoder.patch_embed.proj.bias"] = [C]
    for i in range(depth):
        p = f"image_encoder.blocks.{i}."
        rows = 127 if i in global_blocks else 27
        s.update({p + "norm1.weight": [C], p + "norm1.bias": [C], p + "attn.rel_pos_h": [rows, hd], p + "attn.rel_pos_w": [rows, hd],
                  p + "attn.qkv.weight": [3 * C, C], p + "attn.qkv.bias": [3 * C], p + "attn.proj.weight": [C, C], p + "attn.proj.bias": [C],
                  p + "norm2.weight": [C], p + "norm2.bias": [C], p + "mlp.lin1.weight": [4 * C, C], p + "mlp.lin1.bias": [4 * C],
                  p + "mlp.lin2.weight": [C, 4 * C], p + "mlp.lin2.bias": [C]})
    s.update({"image_encoder.neck.0.weight": [256, C, 1, 1], "image_encoder.neck.1.weight": [256], "image_encoder.neck.1.bias": [256],
              "image_encoder.neck.2.weight": [256, 256, 3, 3], "image_encoder.neck.3.weight": [256], "image_encoder.neck.3.bias": [256]})
    s["prompt_encoder.pe_layer.positional_encoding_gaussian_matrix"] = [2, 128]
    for i in range(4):
        s[f"prompt_encoder.point_embeddings.{i}.weight"] = [1, 256]
    s["prompt_encoder.not_a_point_embed.weight"] = [1, 256]
    for i, (o, c, k) in {0: (4, 1, 2), 3: (16, 4, 2), 6: (256, 16, 1)}.items():
        s[f"prompt_encoder.mask_downscaling.{i}.weight"] = [o, c, k, k]
        s[f"prompt_encoder.mask_downscaling.{i}.bias"] = [o]
    for i, n in {1: 4, 4: 16}.items():
        s[f"prompt_encoder.mask_downscaling.{i}.weight"] = [n]
        s[f"prompt_encoder.mask_downscaling.{i}.bias"] = [n]
    s["prompt_encoder.no_mask_embed.weight"] = [1, 256]

    def attn(p, internal):
        for n, (o, i) in {"q_proj": (internal, 256), "k_proj": (internal, 256), "v_proj": (internal, 256), "out_proj": (256, internal)}.items():
            s[f"{p}.{n}.weight"] = [o, i]
            s[f"{p}.{n}.bias"] = [o]

    t = "mask_decoder.transformer"
    for i in range(2):
        p = f"{t}.layers.{i}"
        attn(p + ".self_attn", 256)
        attn(p + ".cross_attn_token_to_image", 128)
        attn(p + ".cross_attn_image_to_token", 128)
        for n in range(1, 5):
            s[f"{p}.norm{n}.weight"] = [256]
            s[f"{p}.norm{n}.bias"] = [256]
        s.update({p + ".mlp.lin1.weight": [2048, 256], p + ".mlp.lin1.bias": [2048], p + ".mlp.lin2.weight": [256, 2048], p + ".mlp.lin2.bias": [256]})
    attn(t + ".final_attn_token_to_image", 128)
    s[t + ".norm_final_attn.weight"] = [256]
    s[t + ".norm_final_attn.bias"] = [256]
    s["mask_decoder.iou_token.weight"] = [1, 256]
    s["mask_decoder.mask_tokens.weight"] = [4, 256]
    s.update({"mask_decoder.output_upscaling.0.weight": [256, 64, 2, 2], "mask_decoder.output_upscaling.0.bias": [64],
              "mask_decoder.output_upscaling.1.weight": [64], "mask_decoder.output_upscaling.1.bias": [64],
              "mask_decoder.output_upscaling.3.weight": [64, 32, 2, 2], "mask_decoder.output_upscaling.3.bias": [32]})
    for m in range(4):
        for j, (o, i) in enumerate([(256, 256), (256, 256), (32, 256)]):
            s[f"mask_decoder.output_hypernetworks_mlps.{m}.layers.{j}.weight"] = [o, i]
            s[f"mask_decoder.output_hypernetworks_mlps.{m}.layers.{j}.bias"] = [o]
    for j, (o, i) in enumerate([(256, 256), (256, 256), (4, 256)]):
        s[f"mask_decoder.iou_prediction_head.layers.{j}.weight"] = [o, i]
        s[f"mask_decoder.iou_prediction_head.layers.{j}.bias"] = [o]
    return s


def main(variant, out):
    rng = np.random.default_rng(0)
    sd, storages = collections.OrderedDict(), []
    for k, shape in shapes(variant).items():
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
        scale = 1.0 / np.sqrt(fan_in) if k.endswith("weight") and len(shape) > 1 else 0.05
        v = (rng.standard_normal(int(np.prod(shape)), dtype=np.float32) * scale).astype("<f4")
        if "norm" in k and k.endswith(".weight") or k.endswith("neck.1.weight") or k.endswith("neck.3.weight"):
            v += 1
        s = Storage("FloatStorage", str(len(storages)), v.tobytes())
        storages.append(s)
        sd[k] = Tensor(s, 0, shape)
    save(sd, storages, out)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

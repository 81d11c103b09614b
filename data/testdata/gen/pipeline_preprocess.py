#!/usr/bin/env python3
"""Golden values for fairclip's image preprocessing (data/preprocess*.go).

Writes data/testdata/pipeline/: a few small PNGs of odd sizes (RGB, RGBA,
grayscale, paletted with transparency), a lossless WebP and a JPEG with their
decoded pixels, and the expected outputs of the two preprocessing modes:

  clip              PIL Image.open(p).convert('RGB') then torchvision
                    Resize(n, BICUBIC) + CenterCrop(n) (OpenAI CLIP's
                    transform), stored as uint8 CHW (the pixels before
                    ToTensor/Normalize, so the test can normalize itself).
  reference-stage2  cv2.imread + BGR2RGB, cv2.resize(INTER_LINEAR) to the
                    dataset resolution (stored as uint8 HWC), ToTensor,
                    Normalize(mean, std), F.interpolate(bilinear,
                    align_corners=False) to the model resolution (float32 CHW).

Implementations: Debian python3-pil, python3-torchvision, python3-opencv,
python3-torch (versions are recorded in manifest.json). Run from the
repository root:  /usr/bin/python3 data/testdata/gen/pipeline_preprocess.py
"""
import json
import os

import cv2
import numpy as np
import PIL
import torch
import torch.nn.functional as F
import torchvision
from PIL import Image
from torchvision import transforms as T

OUT = os.path.join("data", "testdata", "pipeline")
CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


def pattern(rng, h, w, c):
    """Smooth gradients plus noise and a few hard edges: stresses rounding."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    base = []
    for k in range(c):
        g = 127 + 100 * np.sin(xx / (3 + 2 * k) + yy / (5 + k)) * np.cos(yy / (7 + k))
        g += rng.normal(0, 25, size=(h, w))
        g[(xx + 2 * yy) % 11 < 2] = 255 * (k % 2)
        base.append(g)
    return np.clip(np.stack(base, -1), 0, 255).astype(np.uint8)


def write_images(rng):
    imgs = {}
    imgs["rgb_37x23.png"] = Image.fromarray(pattern(rng, 23, 37, 3), "RGB")
    imgs["rgba_50x61.png"] = Image.fromarray(pattern(rng, 61, 50, 4), "RGBA")
    imgs["gray_29x41.png"] = Image.fromarray(pattern(rng, 41, 29, 1)[:, :, 0], "L")
    pal = Image.fromarray(pattern(rng, 47, 33, 3), "RGB").quantize(colors=37)
    pal.info["transparency"] = 3
    imgs["pal_33x47.png"] = pal
    imgs["rgb_64x64.png"] = Image.fromarray(pattern(rng, 64, 64, 3), "RGB")
    imgs["rgb_300x260.png"] = Image.fromarray(pattern(rng, 260, 300, 3), "RGB")
    for name, im in imgs.items():
        kw = {"transparency": 3} if name.startswith("pal_") else {}
        im.save(os.path.join(OUT, name), optimize=True, **kw)


def clip_pixels(path, n):
    img = Image.open(path).convert("RGB")
    t = T.Compose([T.Resize(n, interpolation=T.InterpolationMode.BICUBIC), T.CenterCrop(n)])
    out = np.asarray(t(img), dtype=np.uint8)  # HWC
    return np.ascontiguousarray(out.transpose(2, 0, 1))  # CHW


def reference_stage2(path, res, model_res, mean, std):
    img = cv2.imread(path)
    img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    resized = cv2.resize(img, (res, res), interpolation=cv2.INTER_LINEAR)
    x = T.Normalize(mean=mean, std=std)(T.ToTensor()(resized))
    if model_res != res:
        x = F.interpolate(x[None], size=(model_res, model_res), mode="bilinear", align_corners=False)[0]
    return resized, x.numpy().astype("<f4")


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(20240607)
    write_images(rng)
    cases = []

    clip_cases = [("rgb_37x23.png", 32), ("rgba_50x61.png", 32), ("gray_29x41.png", 32),
                  ("pal_33x47.png", 48), ("rgb_64x64.png", 48), ("rgb_300x260.png", 224)]
    for name, n in clip_cases:
        px = clip_pixels(os.path.join(OUT, name), n)
        out = f"clip_{name[:-4]}_{n}.u8"
        px.tofile(os.path.join(OUT, out))
        cases.append({"image": name, "mode": "clip", "model_resolution": n,
                      "mean": CLIP_MEAN, "std": CLIP_STD,
                      "expected": out, "dtype": "uint8", "layout": "CHW pixels before /255"})

    ref_cases = [("rgb_37x23.png", 48, 32, IMAGENET_MEAN, IMAGENET_STD),
                 ("rgba_50x61.png", 40, 32, IMAGENET_MEAN, IMAGENET_STD),
                 ("gray_29x41.png", 32, 48, CLIP_MEAN, CLIP_STD),
                 ("pal_33x47.png", 33, 33, IMAGENET_MEAN, IMAGENET_STD),
                 ("rgb_64x64.png", 32, 24, IMAGENET_MEAN, IMAGENET_STD),
                 ("rgb_300x260.png", 256, 224, IMAGENET_MEAN, IMAGENET_STD)]
    for name, res, mres, mean, std in ref_cases:
        resized, x = reference_stage2(os.path.join(OUT, name), res, mres, mean, std)
        stem = f"ref_{name[:-4]}_{res}_{mres}"
        x.tofile(os.path.join(OUT, stem + ".f32"))
        case = {"image": name, "mode": "reference-stage2", "resolution": res,
                "model_resolution": mres, "mean": mean, "std": std,
                "expected": stem + ".f32", "dtype": "float32le", "layout": "CHW normalized"}
        if res <= 64:
            resized.tofile(os.path.join(OUT, stem + ".cv2.u8"))
            case["resized"] = stem + ".cv2.u8"
        cases.append(case)

    # Decoding: a lossless WebP must decode bit-exactly; a JPEG only closely
    # (libjpeg's fancy chroma upsampling differs from Go's image/jpeg).
    src = Image.open(os.path.join(OUT, "rgb_37x23.png")).convert("RGB")
    src.save(os.path.join(OUT, "rgb_37x23.webp"), lossless=True)
    # The JPEG gets a smooth photo-like image: noisy chroma at 4:2:0 would only
    # measure the two decoders' different chroma upsampling.
    yy, xx = np.mgrid[0:40, 0:52].astype(np.float64)
    smooth = np.stack([120 + 80 * np.sin(xx / 9) * np.cos(yy / 11), 90 + 60 * np.cos((xx + yy) / 13),
                       140 + 50 * np.sin(yy / 7)], -1)
    Image.fromarray(np.clip(smooth, 0, 255).astype(np.uint8), "RGB").save(os.path.join(OUT, "smooth_52x40.jpg"), quality=90)
    # Noisy odd-sized images in the three chroma layouts (4:2:0, 4:2:2, 4:4:4).
    for sub in (2, 1, 0):
        src.save(os.path.join(OUT, f"rgb_37x23_sub{sub}.jpg"), quality=92, subsampling=sub)
    decode = []
    for name in ["rgb_37x23.webp", "smooth_52x40.jpg", "rgb_37x23_sub2.jpg", "rgb_37x23_sub1.jpg", "rgb_37x23_sub0.jpg", "rgba_50x61.png", "gray_29x41.png", "pal_33x47.png"]:
        px = np.asarray(Image.open(os.path.join(OUT, name)).convert("RGB"), dtype=np.uint8)
        out = "decoded_" + name.replace(".", "_") + ".u8"
        px.tofile(os.path.join(OUT, out))
        decode.append({"image": name, "expected": out, "width": px.shape[1], "height": px.shape[0],
                       "exact": not name.endswith(".jpg")})

    manifest = {"generator": "data/testdata/gen/pipeline_preprocess.py",
                "versions": {"pil": PIL.__version__, "torch": torch.__version__,
                             "torchvision": torchvision.__version__, "opencv": cv2.__version__},
                "preprocess": cases, "decode": decode}
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()

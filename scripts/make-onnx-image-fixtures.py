# Encoded images for ONNX's ImageDecoder (test/onnx/ops/image_decoder.test.ts)
# and what Pillow decodes them to, as the ONNX reference implementation does
# (onnx/reference/ops/op_image_decoder.py): the image made RGB (alpha dropped,
# grey replicated, a palette looked up), and Grayscale by Pillow's 'L'
# conversion. Written once and committed; run with Debian's python3-pil:
#   /usr/bin/python3 scripts/make-onnx-image-fixtures.py
import io
import json
import os
import struct
import zlib

import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'onnx', 'images')
rng = np.random.default_rng(7)


def picture(h, w):
    """Smooth gradients with some noise and a sharp-edged square: what a photo and a drawing hold."""
    y, x = np.mgrid[0:h, 0:w]
    rgb = np.stack([255 * x / max(w - 1, 1), 255 * y / max(h - 1, 1), 128 + 100 * np.sin(x / 3.0 + y / 5.0)], axis=-1)
    rgb += rng.normal(0, 12, rgb.shape)
    rgb[h // 4: h // 2, w // 4: w // 2] = [250, 20, 40]
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def save(name, img, fmt, **options):
    buffer = io.BytesIO()
    img.save(buffer, fmt, **options)
    return save_bytes(name, buffer.getvalue())


def describe(name, data):
    decoded = Image.open(io.BytesIO(data))
    expected = {}
    for pixel_format, converted in (('RGB', decoded.convert('RGB')), ('Grayscale', decoded.convert('L'))):
        array = np.array(converted)
        if array.ndim == 2:
            array = array[:, :, None]
        with open(os.path.join(OUT, f'{name}.{pixel_format}.bin'), 'wb') as f:
            f.write(array.tobytes())
        expected[pixel_format] = list(array.shape)
    return {'file': name, 'mode': decoded.mode, 'shapes': expected}


def png16_rgb(rgb16):
    """A 16-bit RGB PNG, which Pillow cannot write: its chunks by hand (each row filter 0)."""
    h, w, _ = rgb16.shape
    chunk = lambda kind, data: struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
    rows = b''.join(b'\x00' + rgb16[y].astype('>u2').tobytes() for y in range(h))
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 16, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b'')


def save_bytes(name, data):
    with open(os.path.join(OUT, name), 'wb') as f:
        f.write(data)
    return describe(name, data)


def main():
    os.makedirs(OUT, exist_ok=True)
    rgb = picture(21, 37)
    alpha = rng.integers(0, 256, rgb.shape[:2], dtype=np.uint8)
    cases = [
        save('rgb.png', Image.fromarray(rgb), 'PNG'),
        save('rgba.png', Image.fromarray(np.dstack([rgb, alpha])), 'PNG'),
        save('grey.png', Image.fromarray(rgb[:, :, 1]), 'PNG'),
        save('grey_alpha.png', Image.fromarray(np.dstack([rgb[:, :, 1], alpha]), 'LA'), 'PNG'),
        save('palette.png', Image.fromarray(rgb).quantize(colors=50), 'PNG'),
        save('grey16.png', Image.fromarray((rgb[:, :, 0].astype(np.uint16) * 3).astype(np.uint16), 'I;16'), 'PNG'),
        save_bytes('rgb16.png', png16_rgb(rgb.astype(np.uint16) * 257 + rng.integers(0, 257, rgb.shape).astype(np.uint16))),
        save('rgb444.jpg', Image.fromarray(picture(19, 33)), 'JPEG', quality=90, subsampling=0),
        save('rgb420.jpg', Image.fromarray(picture(19, 33)), 'JPEG', quality=90, subsampling=2),
        save('grey.jpg', Image.fromarray(picture(17, 23)[:, :, 0]), 'JPEG', quality=85),
    ]
    with open(os.path.join(OUT, 'cases.json'), 'w') as f:
        json.dump(cases, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()

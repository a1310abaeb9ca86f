"""Real image files made with Pillow for the media tests, and a fresh media storage."""

import io
import struct
import zlib

import pytest
from django.core.files.storage import Storage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

BLUE = (0, 0, 255)
RED = (255, 0, 0)
GPS_LATITUDE = (51.0, 30.0, 26.0)
CAMERA_MAKE = "SecretCam"


def jpeg(size: tuple[int, int] = (800, 600), color=BLUE, **save_options) -> bytes:
    out = io.BytesIO()
    save_options.setdefault("quality", 90)
    Image.new("RGB", size, color).save(out, "JPEG", **save_options)
    return out.getvalue()


def png(size: tuple[int, int] = (800, 600), mode: str = "RGB", color=BLUE) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, "PNG")
    return out.getvalue()


def gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = CAMERA_MAKE
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: GPS_LATITUDE,
        ExifTags.GPS.GPSLongitudeRef: "W",
        ExifTags.GPS.GPSLongitude: (0.0, 7.0, 39.0),
    }
    return exif


def photo_with_gps(orientation: int = 1) -> bytes:
    """A 400 x 200 landscape photo, left half blue and right half red, with GPS EXIF."""
    image = Image.new("RGB", (400, 200), RED)
    image.paste(BLUE, (0, 0, 200, 200))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95, exif=gps_exif(orientation))
    return out.getvalue()


HTML_PAYLOAD = b"<html><body><script>alert('polyglot')</script></body></html>"


def polyglot_jpeg() -> bytes:
    """A valid JPEG that is also an HTML page: markup in a comment segment and after EOI."""
    return jpeg((320, 240), comment=HTML_PAYLOAD) + HTML_PAYLOAD


def animated_gif() -> bytes:
    frames = [Image.new("RGB", (120, 80), color) for color in (BLUE, RED, (0, 255, 0))]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels: a decompression bomb."""
    data = png((1, 1))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    patched = struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return data[:8] + patched + data[8 + 25 :]


SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script></svg>"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"
EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n"


def bmp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), BLUE).save(out, "BMP")
    return out.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def all_files(storage: Storage, folder: str = "") -> set[str]:
    try:
        dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return set()
    found = {f"{folder}/{f}".lstrip("/") for f in files}
    for d in dirs:
        found |= all_files(storage, f"{folder}/{d}".lstrip("/"))
    return found


def open_stored(storage: Storage, name: str) -> Image.Image:
    with storage.open(name) as fh:
        image = Image.open(io.BytesIO(fh.read()))
        image.load()
        return image


def stored_bytes(storage: Storage, name: str) -> bytes:
    with storage.open(name) as fh:
        return fh.read()


@pytest.fixture
def media_storage(settings) -> Storage:
    """A fresh, empty in-memory media storage for this test (default_storage follows it)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    assert all_files(default_storage) == set()
    return default_storage

"""The image pipeline: every upload is decoded, checked, cleaned and re-encoded by Pillow.

Nothing a reporter uploads is stored as it came: only pixels survive. The steps are

1. refuse by size in bytes before reading, then let Pillow identify the file among JPEG,
   PNG, WebP and GIF only (SVG, EPS, PDF and everything else are refused by name);
2. refuse by the header's dimensions before decoding: a side longer than the output formats
   allow (WebP: 16,383 px), more pixels than the budget (60 MP for JPEG, which is decoded at
   a reduced scale, 24 MP for the formats decoded in full); treat Pillow's
   DecompressionBombWarning as an error while decoding; a truncated or corrupt file fails
   to decode and is refused;
3. turn the picture upright from its EXIF orientation, then copy the pixels into a fresh
   image so EXIF (GPS included), XMP, ICC, comments and anything appended to the file are
   left behind;
4. scale the picture to at most 4,000 px on its long side (a JPEG is decoded at the
   nearest reduced scale above that, so a 60 MP photo costs a fraction of its full size),
   store a re-encoded original and renditions 320/640/1024/1600 px wide (never wider than
   the original) as WebP plus a JPEG fallback, through Django's storage API under random
   names.

`decode_image` has no side effects, so forms call it to report a bad file next to the field;
the services call `store_image` and `delete_stored_files`.
"""

import io
import uuid
import warnings
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# 60 megapixels: above any press camera; far below Pillow's own bomb threshold (~89 MP).
DEFAULT_MAX_PIXELS = 60_000_000
# PNG, WebP and GIF have no reduced-scale decoding: every pixel is held in memory (4 bytes
# each), so their budget is lower.
DEFAULT_MAX_LOSSLESS_PIXELS = 24_000_000
DEFAULT_WIDTHS = (320, 640, 1024, 1600)
# The stored original's long side; more is never shown to readers.
DEFAULT_MAX_SIDE = 4000
# The longest side each output format can hold; every stored file is one of these.
OUTPUT_SIDE_LIMITS = {"WebP": 16383, "JPEG": 65535, "PNG": 2**31 - 1}

# Pillow format names accepted, and how readers call them.
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")

JPEG_QUALITY = 82
WEBP_QUALITY = 80
ORIGINAL_JPEG_QUALITY = 90

MSG_TOO_BIG = (
    "This file is %(size)s MB; the limit is %(limit)s MB. Export a smaller JPEG (a long "
    "side of 4000 pixels is plenty) and upload that."
)
MSG_TOO_MANY_PIXELS = (
    "This image has too many pixels%(size)s; the limit is %(limit)s megapixels. Resize it "
    "(a long side of 4000 pixels is plenty) and upload it again."
)
MSG_TOO_LONG = (
    "This image is %(width)s × %(height)s pixels; a side can be at most %(limit)s pixels. "
    "Crop or resize it (a long side of 4000 pixels is plenty) and upload it again."
)
MSG_VECTOR = (
    "%(kind)s files are not accepted: they can carry scripts and links. Export the "
    "picture as a JPEG or PNG and upload that."
)
MSG_NOT_AN_IMAGE = (
    "This file is not a JPEG, PNG, WebP or GIF image. Save the picture in one of those "
    "formats and upload it again."
)
MSG_CORRUPT = (
    "This image could not be read: the file is damaged or incomplete. Download or export "
    "it again and upload the new copy."
)
MSG_EMPTY = "The file is empty. Choose the picture again."


def max_bytes() -> int:
    return getattr(settings, "LIVEBLOG_IMAGE_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_pixels() -> int:
    return getattr(settings, "LIVEBLOG_IMAGE_MAX_PIXELS", DEFAULT_MAX_PIXELS)


def max_lossless_pixels() -> int:
    return getattr(settings, "LIVEBLOG_IMAGE_MAX_LOSSLESS_PIXELS", DEFAULT_MAX_LOSSLESS_PIXELS)


def max_side() -> int:
    return getattr(settings, "LIVEBLOG_IMAGE_MAX_SIDE", DEFAULT_MAX_SIDE)


def rendition_widths() -> tuple[int, ...]:
    return tuple(sorted(getattr(settings, "LIVEBLOG_IMAGE_WIDTHS", DEFAULT_WIDTHS)))


@dataclass
class DecodedImage:
    """Clean pixels, upright, with no metadata; `source_format` is what was uploaded."""

    image: Image.Image
    source_format: str

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height

    @property
    def has_alpha(self) -> bool:
        return self.image.mode == "RGBA"


@dataclass
class StoredImage:
    original: str
    width: int
    height: int
    renditions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [self.original, *(r["name"] for r in self.renditions)]


def _sniff_refused_kind(head: bytes) -> str | None:
    """Name the formats people try most, so the message says what is wrong."""
    start = head.lstrip()[:256].lower()
    if start.startswith(b"%pdf"):
        return "PDF"
    if start.startswith(b"%!ps") or head.startswith(b"\xc5\xd0\xd3\xc6"):
        return "EPS"
    if b"<svg" in start or (start.startswith(b"<?xml") and b"<svg" in head.lower()):
        return "SVG"
    return None


def _read_limited(upload: Any) -> bytes:
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        _raise_too_big(size, limit)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data: bytes = upload.read(limit + 1)
    if len(data) > limit:
        _raise_too_big(len(data), limit)
    if not data:
        raise ValidationError(MSG_EMPTY, code="empty")
    return data


def _raise_too_big(size: int, limit: int) -> None:
    raise ValidationError(
        MSG_TOO_BIG,
        code="too_big",
        params={"size": f"{size / 1024 / 1024:.1f}", "limit": f"{limit / 1024 / 1024:g}"},
    )


def _to_rgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """RGB (RGBA when the picture has transparency), converted to sRGB from any embedded
    ICC profile, since the profile itself is not kept."""
    mode = "RGBA" if image.has_transparency_data else "RGB"
    if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
        image = image.convert(mode)
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            srgb = ImageCms.createProfile("sRGB")
            converted = ImageCms.profileToProfile(image, source, srgb, outputMode=mode)
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # A broken or mismatched profile: keep the pixels rather than refuse them.
    return image if image.mode == mode else image.convert(mode)


def _upright(image: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image)
    except Exception:
        # Malformed EXIF is no reason to refuse a photo; it is dropped below anyway.
        return image.copy()


def decode_image(upload: Any) -> DecodedImage:
    """Decode `upload` (a file-like object) into clean, upright pixels, or raise ValidationError.

    Reads at most the byte limit; has no side effects.
    """
    data = _read_limited(upload)
    refused = _sniff_refused_kind(data[:1024])
    if refused:
        raise ValidationError(MSG_VECTOR, code="refused_format", params={"kind": refused})

    # The warnings filter is process-wide while it is in force; it only ever makes a bomb
    # fail, so at worst a concurrent thread is refused a bomb too.
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            opened = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
        except UnidentifiedImageError as exc:
            raise ValidationError(MSG_NOT_AN_IMAGE, code="not_an_image") from exc
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise _too_many_pixels(None) from exc
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ValidationError(MSG_CORRUPT, code="corrupt") from exc

        with opened:
            _check_dimensions(opened)
            source_format = opened.format or ""
            icc = opened.info.get("icc_profile")
            try:
                # An animated GIF or WebP keeps its first frame: renditions are stills.
                opened.seek(0)
                if source_format == "JPEG":
                    # Decode at the smallest of 1/2, 1/4, 1/8 scale still above what is kept.
                    opened.draft(opened.mode, _fitted(opened.size, max_side()))
                opened.load()
                pixels = _to_rgb(_upright(opened), icc)
                pixels = _within(pixels, max_side())
            except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
                raise _too_many_pixels(opened.size) from exc
            except (OSError, SyntaxError, ValueError, EOFError) as exc:
                raise ValidationError(MSG_CORRUPT, code="corrupt") from exc

    # A fresh image holds pixels only: no EXIF/GPS, XMP, ICC, comments or trailing bytes
    # (Pillow carries `info` through convert and resize, and writes some of it on save).
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    return DecodedImage(image=clean, source_format=source_format)


def _check_dimensions(opened: Image.Image) -> None:
    """Refuse from the header alone, before any pixel is decoded."""
    width, height = opened.size
    side_limit = min(OUTPUT_SIDE_LIMITS.values())
    if max(width, height) > side_limit:
        raise ValidationError(
            MSG_TOO_LONG,
            code="too_long",
            params={"width": width, "height": height, "limit": f"{side_limit:,}"},
        )
    budget = max_pixels() if opened.format == "JPEG" else min(max_pixels(), max_lossless_pixels())
    if width * height > budget:
        raise _too_many_pixels(opened.size, limit=budget)


def _fitted(size: tuple[int, int], side: int) -> tuple[int, int]:
    """`size` scaled down (never up) so that its long side is at most `side`."""
    width, height = size
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _within(image: Image.Image, side: int) -> Image.Image:
    target = _fitted(image.size, side)
    if target == image.size:
        return image
    return image.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _too_many_pixels(size: tuple[int, int] | None, *, limit: int | None = None) -> ValidationError:
    # Pillow's own bomb threshold can be the lower one if a deployment lowered it.
    limit = min(limit or max_pixels(), Image.MAX_IMAGE_PIXELS or max_pixels())
    return ValidationError(
        MSG_TOO_MANY_PIXELS,
        code="too_many_pixels",
        params={
            "size": f" ({size[0]} × {size[1]})" if size else "",
            "limit": f"{limit / 1_000_000:g}",
        },
    )


# Encoding and storage ---------------------------------------------------------------------


def _flatten(image: Image.Image) -> Image.Image:
    """JPEG has no transparency: put transparent pictures on white."""
    if image.mode != "RGBA":
        return image
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def _encode(image: Image.Image, fmt: str, *, quality: int) -> bytes:
    out = io.BytesIO()
    if fmt == "webp":
        image.save(out, "WEBP", quality=quality, method=4)
    elif fmt == "png":
        image.save(out, "PNG", optimize=True)
    else:
        _flatten(image).save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def _resized(image: Image.Image, width: int) -> Image.Image:
    if width >= image.width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)


def widths_for(original_width: int) -> list[int]:
    """Rendition widths for a picture: the standard ones below its width, plus its own width
    (capped at the largest standard one) so small pictures are never upscaled."""
    standard = rendition_widths()
    widths = [w for w in standard if w < original_width]
    top = min(original_width, standard[-1])
    if top not in widths:
        widths.append(top)
    return widths


def store_image(decoded: DecodedImage, *, storage: Storage) -> StoredImage:
    """Write the re-encoded original and the renditions; return their storage names.

    On failure, whatever was written is deleted again before the error propagates.
    """
    # One random folder per picture: nothing in a stored name comes from the upload.
    folder = f"liveblog/images/{uuid.uuid4().hex}"
    written: list[str] = []

    def save(name: str, content: bytes) -> str:
        stored = storage.save(f"{folder}/{name}", ContentFile(content))
        written.append(stored)
        return stored

    image = decoded.image
    try:
        if decoded.has_alpha:
            original = save("original.png", _encode(image, "png", quality=0))
        else:
            original = save("original.jpg", _encode(image, "jpeg", quality=ORIGINAL_JPEG_QUALITY))
        renditions: list[dict[str, Any]] = []
        for width in widths_for(image.width):
            resized = _resized(image, width)
            for fmt, ext, quality in (
                ("webp", "webp", WEBP_QUALITY),
                ("jpeg", "jpg", JPEG_QUALITY),
            ):
                name = save(f"{width}w.{ext}", _encode(resized, fmt, quality=quality))
                renditions.append(
                    {"width": resized.width, "height": resized.height, "format": fmt, "name": name}
                )
    except Exception:
        delete_stored_files(written, storage=storage)
        raise
    return StoredImage(original, image.width, image.height, renditions)


# Avatars: the same decoding, one small re-encoded file --------------------------------------

AVATAR_SIDE = 400


def store_avatar(decoded: DecodedImage, *, storage: Storage) -> str:
    """Write a contributor's avatar: at most AVATAR_SIDE px on its long side, re-encoded
    from clean pixels (PNG when it has transparency, else JPEG), under a random name."""
    image = _within(decoded.image, AVATAR_SIDE)
    if decoded.has_alpha:
        content, ext = _encode(image, "png", quality=0), "png"
    else:
        content, ext = _encode(image, "jpeg", quality=JPEG_QUALITY), "jpg"
    return storage.save(f"avatars/{uuid.uuid4().hex}.{ext}", ContentFile(content))


def delete_stored_files(names: list[str], *, storage: Storage) -> None:
    for name in names:
        if name:
            storage.delete(name)

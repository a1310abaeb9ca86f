"""The demo's pictures, drawn with Pillow when the demo loads: our own illustrations, so the
repository ships no third-party image. Each is a plain JPEG upload that `load_demo` sends
through the picture pipeline (liveblog.media.services.add_post_image), as a reporter's
would be: decoded, re-encoded, renditions made."""

import io
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

SIZE = (1200, 800)
Draw = Callable[[ImageDraw.ImageDraw], None]


def _cake(draw: ImageDraw.ImageDraw) -> None:
    draw.rectangle((0, 560, 1200, 800), fill=(196, 164, 132))  # the table
    draw.ellipse((270, 520, 930, 680), fill=(250, 250, 250), outline=(210, 210, 210), width=6)
    draw.rectangle((380, 360, 820, 590), fill=(92, 170, 84))
    draw.ellipse((380, 540, 820, 640), fill=(92, 170, 84))
    draw.ellipse((380, 310, 820, 410), fill=(132, 204, 120))
    for x in (480, 600, 720):
        draw.rectangle((x - 8, 230, x + 8, 340), fill=(80, 140, 220))
        draw.ellipse((x - 14, 196, x + 14, 236), fill=(255, 196, 40))


def _lunchbox(draw: ImageDraw.ImageDraw) -> None:
    draw.rectangle((0, 600, 1200, 800), fill=(120, 120, 130))  # the desk
    draw.arc((480, 170, 720, 390), start=180, end=360, fill=(60, 60, 70), width=26)
    draw.rounded_rectangle((300, 270, 900, 650), radius=40, fill=(150, 80, 190))
    draw.rectangle((300, 380, 900, 400), fill=(120, 60, 160))
    draw.rounded_rectangle((560, 360, 640, 420), radius=10, fill=(240, 200, 60))


def _rosettes(draw: ImageDraw.ImageDraw) -> None:
    draw.rectangle((0, 0, 1200, 800), fill=(236, 236, 240))
    for cx in (300, 600, 900):
        draw.polygon([(cx - 60, 430), (cx - 110, 700), (cx - 10, 650)], fill=(170, 20, 30))
        draw.polygon([(cx + 60, 430), (cx + 110, 700), (cx + 10, 650)], fill=(170, 20, 30))
        for r, colour in ((150, (200, 16, 46)), (105, (230, 60, 80)), (55, (255, 255, 255))):
            draw.ellipse((cx - r, 380 - r, cx + r, 380 + r), fill=colour)


DRAWINGS: dict[str, Draw] = {"cake": _cake, "lunchbox": _lunchbox, "rosettes": _rosettes}


def picture_upload(name: str) -> SimpleUploadedFile:
    """The drawing `name` as a JPEG file upload."""
    image = Image.new("RGB", SIZE, (255, 255, 255))
    DRAWINGS[name](ImageDraw.Draw(image))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return SimpleUploadedFile(f"{name}.jpg", out.getvalue(), content_type="image/jpeg")

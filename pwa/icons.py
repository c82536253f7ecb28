"""The comune's app icons, drawn on the server with Pillow in the sizes launchers expect.

Android wants 192 and 512 pixels (plus a "maskable" 512 whose content stays inside the central
80% safe zone, because launchers cut it to a circle or a squircle); iOS reads a 180-pixel
apple-touch-icon. The comune's stemma is centred on the Bootstrap Italia primary blue; without a
stemma the initial of the comune's name stands in for it.
"""

from __future__ import annotations

import io

from django.core.cache import cache
from PIL import Image, ImageDraw, ImageFont

from comuni.models import Comune

THEME_COLOR = "#0066cc"  # Bootstrap Italia $primary
BACKGROUND_COLOR = "#ffffff"
SIZES = (180, 192, 512)
CACHE_SECONDS = 60 * 60 * 24


def _logo(comune: Comune) -> Image.Image | None:
    if not comune.logo:
        return None
    try:
        with comune.logo.open("rb") as handle:
            image = Image.open(handle)
            image.load()
    except (OSError, ValueError):
        return None  # a missing or unreadable file falls back to the initial
    return image.convert("RGBA")


def _draw(comune: Comune, size: int, *, maskable: bool) -> bytes:
    return draw_icon(logo=_logo(comune), letter=comune.nome[:1] or "O", size=size, maskable=maskable)


def draw_icon(*, logo: Image.Image | None, letter: str, size: int, maskable: bool) -> bytes:
    """A logo, or else a white letter, centred on the primary blue: the same bytes for the same input."""
    canvas = Image.new("RGBA", (size, size), THEME_COLOR)
    # Maskable icons keep their content inside the central circle of 80% diameter.
    box = int(size * (0.56 if maskable else 0.72))
    if logo is not None:
        logo.thumbnail((box, box))
        canvas.alpha_composite(logo, ((size - logo.width) // 2, (size - logo.height) // 2))
    else:
        draw = ImageDraw.Draw(canvas)
        font = ImageFont.load_default(size=box)
        draw.text((size / 2, size / 2), letter.upper(), fill="#ffffff", font=font, anchor="mm")
    output = io.BytesIO()
    canvas.convert("RGB").save(output, format="PNG", optimize=True)
    return output.getvalue()


def icona_png(*, comune: Comune, size: int, maskable: bool = False) -> bytes:
    """The PNG icon of the comune's app at one size; cached until the stemma changes."""
    key = f"pwa:icona:{comune.pk}:{comune.logo.name if comune.logo else ''}:{size}:{int(maskable)}"
    data = cache.get(key)
    if data is None:
        data = _draw(comune, size, maskable=maskable)
        cache.set(key, data, CACHE_SECONDS)
    return data


def icona_piattaforma_png(*, size: int, maskable: bool = False) -> bytes:
    """The icon of the platform app "Omnibus" (every comune's): an O on the primary blue."""
    key = f"pwa:icona:piattaforma:{size}:{int(maskable)}"
    data = cache.get(key)
    if data is None:
        data = draw_icon(logo=None, letter="O", size=size, maskable=maskable)
        cache.set(key, data, CACHE_SECONDS)
    return data


def icona_monocromatica_png(*, size: int) -> bytes:
    """The platform app's notification icon: the white O alone on transparency (Android tints it)."""
    canvas = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    draw.text((size / 2, size / 2), "O", fill="#ffffff", font=ImageFont.load_default(size=int(size * 0.72)),
              anchor="mm")
    output = io.BytesIO()
    canvas.save(output, format="PNG", optimize=True)
    return output.getvalue()

"""Draw static/img/favicon.ico, the site's icon for browsers that ask for /favicon.ico.

Browsers ask for /favicon.ico for pages that name no icon (a PDF, a JSON answer)
and some ask whatever the page says; the pages themselves name
static/img/favicon.svg. This draws the same neutral mark as that SVG, a dark
rounded square with "LSP" in white, at 16, 32 and 48 pixels. It is not GOV.UK's
crown: this is not a GOV.UK service, and the crown is only for those.

Pillow's own bundled font is used, so the same file comes out on any machine.
Run it again after changing the mark, and commit the .ico:

    .venv/bin/python scripts/make_favicon.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BACKGROUND = "#0b0c0c"  # as favicon.svg
TEXT = "#ffffff"
SIZES = [(16, 16), (32, 32), (48, 48)]
DRAWN_AT = 256  # drawn large and scaled down, so the edges are smooth
OUT = Path(__file__).resolve().parent.parent / "static" / "img" / "favicon.ico"


def mark() -> Image.Image:
    image = Image.new("RGBA", (DRAWN_AT, DRAWN_AT), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    corners = (0, 0, DRAWN_AT - 1, DRAWN_AT - 1)
    draw.rounded_rectangle(corners, radius=DRAWN_AT // 8, fill=BACKGROUND)
    font = ImageFont.load_default(size=DRAWN_AT * 7 // 16)
    draw.text((DRAWN_AT / 2, DRAWN_AT / 2), "LSP", font=font, fill=TEXT, anchor="mm")
    return image


def main() -> None:
    mark().save(OUT, format="ICO", sizes=SIZES)
    print(f"Wrote {OUT}")


if __name__ == "__main__":
    main()

"""Build static/img/favicon.ico from static/img/favicon.svg (run once; the .ico is committed).

Chromium draws the SVG at 32 and 48 px; the .ico holds the PNGs (the ICO format allows PNG
entries, which every current browser reads).

    python scripts/build_favicon.py
"""

import struct
from pathlib import Path

from playwright.sync_api import sync_playwright

IMG = Path(__file__).resolve().parents[1] / "static" / "img"
SIZES = (32, 48)


def render_pngs() -> list[bytes]:
    svg = (IMG / "favicon.svg").read_text()
    pngs = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"]
        )
        for size in SIZES:
            page = browser.new_page(viewport={"width": size, "height": size})
            sized = svg.replace("<svg ", f'<svg width="{size}" height="{size}" ', 1)
            page.set_content(f'<body style="margin:0">{sized}</body>')
            pngs.append(page.screenshot(omit_background=True))
        browser.close()
    return pngs


def ico(pngs: list[bytes]) -> bytes:
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = 6 + 16 * len(pngs)
    entries, data = b"", b""
    for size, png in zip(SIZES, pngs, strict=True):
        entries += struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(png), offset + len(data))
        data += png
    return header + entries + data


if __name__ == "__main__":
    (IMG / "favicon.ico").write_bytes(ico(render_pngs()))
    print(f"Wrote {IMG / 'favicon.ico'}")

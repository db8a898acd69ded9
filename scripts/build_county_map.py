"""Build static/directory/oregon-counties.svg from the US Census cartographic boundaries.

Run once (the SVG is committed; pages never fetch anything at run time):

    npm pack us-atlas@3.0.1 && tar xzf us-atlas-3.0.1.tgz
    python scripts/build_county_map.py package/counties-10m.json

`us-atlas` redistributes the Census Bureau's public-domain cartographic boundary files as
TopoJSON (longitude and latitude). This script decodes the TopoJSON arcs of Oregon's 36
counties (FIPS 41001-41071), projects them for a state map (equirectangular, longitudes
shortened by the cosine of Oregon's middle latitude, so the state keeps its familiar shape),
fits them to the SVG's viewBox and writes one <path> per county, with the FIPS code in
data-fips and the county's name in data-name and its title.
"""

import json
import math
import sys
from pathlib import Path
from xml.sax.saxutils import escape

OREGON_STATE_FIPS = "41"
MIDDLE_LATITUDE = 44.0
WIDTH = 800
MARGIN = 4
OUTPUT = Path(__file__).resolve().parents[1] / "static" / "directory" / "oregon-counties.svg"


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        points, x, y = [], 0, 0
        for dx, dy in arc:
            if transform:
                x, y = x + dx, y + dy
                sx, sy = transform["scale"]
                tx, ty = transform["translate"]
                points.append((x * sx + tx, y * sy + ty))
            else:
                points.append((dx, dy))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def county_rings(geometry: dict, arcs) -> list[list[tuple[float, float]]]:
    polygons = (
        [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
    )  # MultiPolygon
    return [ring(r, arcs) for polygon in polygons for r in polygon]


def build(source: Path) -> str:
    topology = json.loads(source.read_text())
    arcs = decode_arcs(topology)
    counties = sorted(
        (
            g
            for g in topology["objects"]["counties"]["geometries"]
            if g["id"].startswith(OREGON_STATE_FIPS)
        ),
        key=lambda g: g["id"],
    )
    shrink = math.cos(math.radians(MIDDLE_LATITUDE))
    shapes = {
        g["id"]: (
            g["properties"]["name"],
            [[(lon * shrink, -lat) for lon, lat in r] for r in county_rings(g, arcs)],
        )
        for g in counties
    }
    xs = [x for _name, rings in shapes.values() for r in rings for x, _y in r]
    ys = [y for _name, rings in shapes.values() for r in rings for _x, y in r]
    scale = (WIDTH - 2 * MARGIN) / (max(xs) - min(xs))
    height = round((max(ys) - min(ys)) * scale + 2 * MARGIN)

    def point(x: float, y: float) -> str:
        return f"{(x - min(xs)) * scale + MARGIN:.1f},{(y - min(ys)) * scale + MARGIN:.1f}"

    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}">',
        "<title>Oregon counties</title>",
        "<desc>From the US Census Bureau cartographic boundary files (public domain), "
        "via the us-atlas package.</desc>",
    ]
    for fips, (name, rings) in shapes.items():
        d = "".join("M" + "L".join(point(x, y) for x, y in r) + "Z" for r in rings)
        lines.append(
            f'<path id="c{fips}" data-fips="{fips}" data-name="{escape(name)}" d="{d}">'
            f"<title>{escape(name)} County</title></path>"
        )
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    svg = build(Path(sys.argv[1]))
    OUTPUT.write_text(svg)
    print(f"Wrote {OUTPUT} ({svg.count('<path')} counties)")

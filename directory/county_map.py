"""The county shapes of the directory's map, read from the committed static SVG (built once by
scripts/build_county_map.py from the Census cartographic boundaries)."""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.etree import ElementTree

from django.conf import settings
from django.contrib.staticfiles import finders

SVG_NAMESPACE = "{http://www.w3.org/2000/svg}"
MAP_STATIC_PATH = "directory/oregon-counties.svg"


@dataclass(frozen=True)
class CountyShape:
    fips: str
    name: str
    path: str


@dataclass(frozen=True)
class CountyMap:
    view_box: str
    shapes: tuple[CountyShape, ...]


def map_file() -> Path:
    found = finders.find(MAP_STATIC_PATH)
    return Path(found) if found else Path(settings.BASE_DIR) / "static" / MAP_STATIC_PATH


@cache
def county_map() -> CountyMap:
    root = ElementTree.parse(map_file()).getroot()
    shapes = tuple(
        CountyShape(fips=path.get("data-fips"), name=path.get("data-name"), path=path.get("d"))
        for path in root.iter(f"{SVG_NAMESPACE}path")
    )
    return CountyMap(view_box=root.get("viewBox"), shapes=shapes)

"""The page's PNG downloads: rendered from the SVG drawing (the same bytes as vl-convert's own
PNG for an ordinary chart), at twice the size up to a pixel budget for a very tall chart."""

from __future__ import annotations

import json
import struct

import vl_convert

from fieldwork import charts


def spec(rows: int) -> str:
    return json.dumps({"data": {"values": [{"g": f"group {i}", "p": i} for i in range(rows)]}, "mark": "point",
                       "encoding": {"y": {"field": "g", "type": "nominal"}, "x": {"field": "p", "type": "quantitative"}}})


def size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG")
    return struct.unpack(">II", png[16:24])


def test_an_ordinary_chart_is_the_png_vl_convert_makes_at_twice_its_size():
    assert charts.spec_png(spec(5)) == vl_convert.vegalite_to_png(spec(5), scale=2)


def test_a_very_tall_chart_keeps_within_the_pixel_budget_never_under_its_own_size():
    svg = vl_convert.vegalite_to_svg(spec(400))  # about 8,000 px tall
    width, height = map(float, charts._SVG_SIZE.search(svg).groups())
    w, h = size(charts.svg_png(svg))
    assert w * h <= charts.PNG_PIXELS * 1.01 and w >= width and h >= height
    assert h < 2 * height

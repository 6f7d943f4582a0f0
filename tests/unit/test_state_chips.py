"""Every proposal state has its own chip: a background, a border style and a marker of its own, besides its name,
so that no state is told by colour alone; its text keeps a contrast of at least 4.5:1."""
from __future__ import annotations

import re
from pathlib import Path

from review_app.cfp.models import STATE_LABELS, ProposalState

CSS = (Path(__file__).resolve().parents[2] / "review_app" / "static" / "app.css").read_text(encoding="utf-8")


def rule(selector: str) -> dict[str, str]:
    match = re.search(r"(?m)^" + re.escape(selector) + r"\s*\{([^}]*)\}", CSS)
    assert match, f"no CSS rule for {selector}"
    declarations = {}
    for part in match.group(1).split(";"):
        if ":" in part:
            name, value = part.split(":", 1)
            declarations[name.strip()] = value.strip()  # the last of a repeated property wins, as in CSS
    return declarations


def luminance(hex_colour: str) -> float:
    hex_colour = hex_colour.lstrip("#")
    if len(hex_colour) == 3:
        hex_colour = "".join(c * 2 for c in hex_colour)
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_every_state_has_a_chip_of_its_own_that_does_not_rely_on_colour():
    looks, markers, shapes = {}, {}, {}
    for state in ProposalState:
        chip = rule(f".state-{state.value}")
        marker = rule(f".state-{state.value}::before")
        assert {"color", "background", "border"} <= chip.keys(), state
        looks[state] = (chip["background"], chip["border"])
        # the border's width and style (dashed, dotted, double …) together with the marker tell states apart
        # without colour
        shapes[state] = (" ".join(w for w in chip["border"].split() if not w.startswith("#")),
                         marker["content"])
        markers[state] = marker["content"]
        assert re.fullmatch(r'"[^"]+" / ""', marker["content"]), "the marker is decoration, hidden from readers"
    assert len(set(looks.values())) == len(ProposalState), looks
    assert len(set(markers.values())) == len(ProposalState), markers
    assert len(set(shapes.values())) == len(ProposalState), shapes
    assert set(STATE_LABELS) == set(ProposalState)  # and each has its name, written out on the chip


def test_chip_text_has_enough_contrast():
    for state in ProposalState:
        chip = rule(f".state-{state.value}")
        ratio = contrast(chip["color"], chip["background"])
        assert ratio >= 4.5, f"{state}: {chip['color']} on {chip['background']} is only {ratio:.2f}:1"

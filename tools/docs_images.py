"""Copy the browser tests' screenshots that the README and docs/ show into docs/img/, made smaller.

The screenshots are taken by the Playwright tests (`make test` writes them to test-artifacts/); run this
afterwards to refresh the pictures in the docs:

    .venv/bin/python tools/docs_images.py

Each picture is cut to the first ``MAX_HEIGHT`` pixels, scaled to ``WIDTH`` and reduced to a 128-colour
palette (Pillow), so the repository stays small.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
OUT = ROOT / "docs" / "img"
#: screenshot of the tests -> picture in docs/img/
PICTURES = {
    "ratings": "scorecard",
    "commitment-page": "commitment-page",
    "search": "search",
    "graph-layered": "graph",
    "query-chart": "query-chart",
    "matrix-filtered": "matrix",
}
WIDTH = 1000
MAX_HEIGHT = 1400


def shrink(src: Path, dst: Path) -> None:
    """Write ``src`` to ``dst`` cut, scaled and palette-reduced."""
    with Image.open(src) as image:
        rgb = image.convert("RGB")
        scale = WIDTH / rgb.width
        cut = rgb.crop((0, 0, rgb.width, min(rgb.height, int(MAX_HEIGHT / scale))))
        small = cut.resize((WIDTH, int(cut.height * scale)), Image.Resampling.LANCZOS)
        small.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(dst, optimize=True)


def main() -> int:
    missing = [name for name in PICTURES if not (ARTIFACTS / f"{name}.png").is_file()]
    if missing:
        print(f"no screenshot {', '.join(missing)} in {ARTIFACTS}: run the browser tests first", file=sys.stderr)
        return 1
    OUT.mkdir(exist_ok=True)
    for name, picture in PICTURES.items():
        shrink(ARTIFACTS / f"{name}.png", OUT / f"{picture}.png")
        print(f"wrote docs/img/{picture}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())

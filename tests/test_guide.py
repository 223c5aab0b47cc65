"""The user guide and its pictures stay in step with the script that takes them.

``make screenshots`` (scripts/screenshots.py) names every picture it takes in
``SHOTS``. These checks read files only, so they run without a browser.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "guide"
IMAGES = GUIDE / "images"
PAGES = [
    "README.md",
    "coordinators.md",
    "facilitators.md",
    "partners.md",
    "executives.md",
    "accounts.md",
]
# Markdown images and links, ![alt](target) and [text](target), and HTML images.
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
HTML_IMAGE = re.compile(r'<img src="([^"]+)"[^>]*? alt="([^"]*)"')
LINK = re.compile(r"(?<!!)\[[^\]]+\]\(([^)\s#]+)(?:#[^)]*)?\)")
BUDGET = 2_500_000  # bytes for all the pictures together


@functools.cache
def _script():
    """scripts/screenshots.py as a module: it imports only the standard library until run."""
    name = "guide_screenshots"
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "screenshots.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # where its dataclass looks itself up
    spec.loader.exec_module(module)
    return module


def _images_in(page: Path) -> list[tuple[str, Path]]:
    text = page.read_text(encoding="utf-8")
    found = IMAGE.findall(text) + [(alt, src) for src, alt in HTML_IMAGE.findall(text)]
    return [(alt, (page.parent / target).resolve()) for alt, target in found]


def _guide_images() -> list[tuple[Path, str, Path]]:
    return [(GUIDE / name, alt, path) for name in PAGES for alt, path in _images_in(GUIDE / name)]


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_every_page_of_the_guide_is_there_and_the_index_links_each_role():
    index = (GUIDE / "README.md").read_text(encoding="utf-8")
    for name in PAGES:
        assert (GUIDE / name).is_file(), name
        if name != "README.md":
            assert f"]({name})" in index, f"the index does not link {name}"


def test_every_picture_the_guide_shows_exists_and_says_what_it_shows():
    shown = _guide_images() + [
        (ROOT / "README.md", alt, path) for alt, path in _images_in(ROOT / "README.md")
    ]
    assert len(shown) >= len(_script().SHOTS)
    for page, alt, path in shown:
        where = f"{page.relative_to(ROOT)} shows {path.name}"
        assert path.is_file(), f"{where}, which does not exist"
        assert path.parent == IMAGES, f"{where} from outside docs/guide/images/"
        # Alternative text describes the picture for someone who cannot see it.
        assert len(alt.split()) >= 6, f"{where} with too short a text alternative: {alt!r}"
        assert alt.rstrip(".").lower() != path.stem.replace("-", " ")


def test_every_picture_in_the_images_folder_is_shown_in_the_guide():
    shown = {path.name for _, _, path in _guide_images()}
    stored = {path.name for path in IMAGES.iterdir()}
    assert stored, "docs/guide/images/ is empty: run make screenshots"
    assert stored - shown == set(), "pictures no page of the guide shows"


def test_the_script_takes_exactly_the_pictures_in_the_images_folder():
    shots = _script().SHOTS
    stored = {path.name for path in IMAGES.iterdir()}
    assert stored == {f"{name}.png" for name in shots}


def test_each_picture_has_the_width_of_the_screen_it_was_taken_on_and_all_are_small():
    shots = _script().SHOTS
    total = 0
    for name, screen in shots.items():
        path = IMAGES / f"{name}.png"
        width, height = _png_size(path)
        assert width == screen["width"], f"{name} is {width} wide, not {screen['width']}"
        assert height >= min(screen["height"], 600), f"{name} is only {height} high"
        total += path.stat().st_size
    assert total <= BUDGET, f"the pictures take {total} bytes; keep them under {BUDGET}"


def test_the_readme_shows_pictures_from_the_guide_and_links_to_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = _images_in(ROOT / "README.md")
    assert 2 <= len(shown) <= 3
    assert all(path.parent == IMAGES for _, path in shown)
    assert "](docs/guide/" in readme.replace("](docs/guide/images/", "")


def test_links_between_the_guide_pages_lead_to_files_that_exist():
    for name in PAGES:
        page = GUIDE / name
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{name} links to {target}, which is missing"

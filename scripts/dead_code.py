"""Code nothing calls: vulture over the project's Python (`make lint`, CI).

vulture reads Python only; the templates use model properties and methods by name
(``{{ partnership.localized_summary }}``). The names the templates use are therefore handed
to vulture as used, in a file written for the run. Names that frameworks call (Django's
admin and views, DRF, django-filter, settings) are in ``[tool.vulture]`` in pyproject.toml
and, where a name alone is too broad, in ``scripts/vulture_allowlist.py``.
"""

from __future__ import annotations

import keyword
import re
import sys
import tempfile
import tomllib
from pathlib import Path

from vulture.core import main as vulture

ROOT = Path(__file__).resolve().parent.parent
# Variables, attributes and filters inside {{ … }} and {% … %}.
TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def template_names() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "templates").rglob("*.html"):
        for tag in TAG.findall(path.read_text(encoding="utf-8")):
            names.update(NAME.findall(tag))
    return names


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        used = Path(folder) / "template_names.py"
        names = sorted(name for name in template_names() if not keyword.iskeyword(name))
        used.write_text("".join(f"_.{name}\n" for name in names))
        # Paths given on the command line replace the configuration's: give both.
        config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["vulture"]
        sys.argv = ["vulture", *config["paths"], str(used)]
        try:
            vulture()
        except SystemExit as done:
            return int(done.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())

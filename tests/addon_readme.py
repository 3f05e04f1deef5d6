"""Each addon's README.md, the long description of its wheel (PyPI's page),
made from its readme/ fragments as OCA's readme generator orders them.

    python tests/addon_readme.py            # write lead_*/README.md
    python tests/addon_readme.py --check    # fail when one is out of date

``make lint`` runs the check: a README.md edited by hand, or a fragment
changed without running this script, fails it.
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: (fragment, its section title), in OCA's order; DESCRIPTION.md has none
SECTIONS = [
    ("DESCRIPTION.md", None),
    ("DESCRIPTION.vi.md", "Tiếng Việt"),
    ("INSTALL.md", "Installation"),
    ("CONFIGURE.md", "Configuration"),
    ("USAGE.md", "Usage"),
    ("CONTRIBUTORS.md", "Contributors"),
]


def render(addon_dir):
    manifest = ast.literal_eval((addon_dir / "__manifest__.py").read_text())
    parts = [
        f"# {manifest['name']}",
        "<!-- made by tests/addon_readme.py from readme/: edit those files -->",
        f"{manifest['summary']}\n\n"
        f"Odoo {manifest['version'].split('.', 2)[0]}.0 addon, version "
        f"{manifest['version']}, licence {manifest['license']}, "
        f"{manifest['development_status']}; depends on "
        f"{', '.join(f'`{name}`' for name in manifest['depends'])}.",
    ]
    for name, title in SECTIONS:
        path = addon_dir / "readme" / name
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8").strip()
        parts.append(f"## {title}\n\n{text}" if title else text)
    return "\n\n".join(parts) + "\n"


def main(argv):
    check = "--check" in argv
    stale = []
    for addon_dir in sorted(ROOT.glob("lead_*/")):
        if not (addon_dir / "__manifest__.py").is_file():
            continue
        readme = addon_dir / "README.md"
        text = render(addon_dir)
        current = readme.read_text(encoding="utf-8") if readme.is_file() else None
        if current == text:
            continue
        if check:
            stale.append(readme.relative_to(ROOT))
        else:
            readme.write_text(text, encoding="utf-8")
            print(f"wrote {readme.relative_to(ROOT)}")
    if stale:
        print(
            "out of date (run python tests/addon_readme.py): "
            + ", ".join(map(str, stale))
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

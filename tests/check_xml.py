"""Check that every XML file of the addons is well-formed."""

import sys
from pathlib import Path

from lxml import etree


def main(root):
    bad = 0
    for path in sorted(Path(root).glob("lead_*/**/*.xml")):
        try:
            etree.parse(str(path))
        except etree.XMLSyntaxError as exc:
            bad += 1
            print(f"{path}: {exc}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))

"""The layout of the translation files: OCA's po-pretty-format (entries in
msgid order, lines wrapped as polib and Odoo wrap them) except that a
translation equal to its source is kept, as Odoo's own vi.po keep "ID" or
"Lead": OCA's format empties such entries, which would leave them
untranslated.

    python tests/check_po.py [--fix] lead_*/i18n/*.po lead_*/i18n/*.pot
"""

import sys

import polib


def pretty(path):
    with open(path, encoding="utf-8") as po_file:
        original = po_file.read()
    po = polib.pofile(original)
    po.sort(key=lambda entry: entry.msgid)
    return original, str(po)


def main(argv):
    fix = "--fix" in argv
    paths = [arg for arg in argv if arg != "--fix"]
    wrong = []
    for path in paths:
        original, contents = pretty(path)
        if contents == original:
            continue
        if fix:
            with open(path, "w", encoding="utf-8") as po_file:
                po_file.write(contents)
            print(f"fixed {path}")
        else:
            wrong.append(path)
    for path in wrong:
        print(
            f"{path}: not in msgid order or not wrapped as polib writes it "
            "(fix with: python tests/check_po.py --fix FILE)"
        )
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

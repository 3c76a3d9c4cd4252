"""Catalogue chores for `make messages-update`: fill the English catalogue, report gaps.

python tools/i18n.py fill-english locale/en/LC_MESSAGES/django.po
python tools/i18n.py report locale/zh_Hans/LC_MESSAGES/django.po
"""

import sys

import polib


def fill_english(path: str) -> None:
    """Our source strings are English: the English translation is the source string."""
    catalogue = polib.pofile(path)
    for entry in catalogue:
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        # A "#| previous" line left without its fuzzy flag is a msgfmt syntax error.
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    catalogue.save(path)


def report(path: str) -> int:
    catalogue = polib.pofile(path)
    missing = catalogue.untranslated_entries() + catalogue.fuzzy_entries()
    for entry in missing:
        print(f"untranslated: {entry.msgid!r}")
    print(f"{path}: {catalogue.percent_translated()}% translated, {len(missing)} to do")
    return 1 if missing else 0


if __name__ == "__main__":
    command, path = sys.argv[1], sys.argv[2]
    if command == "fill-english":
        fill_english(path)
    else:
        sys.exit(report(path))

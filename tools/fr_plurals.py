"""Write the French catalogue from the English one: plural entries only.

The source strings are French, so French needs no translation, except for plurals:
without a French catalogue gettext applies the msgid's rule (n != 1, so "0 structures");
French says "0 structure" (plural=(n > 1)). Run by `make i18n`.
"""

import sys
from pathlib import Path

import polib

root = Path(__file__).resolve().parents[1] / "grappe" / "locale"
english = polib.pofile(str(root / "en" / "LC_MESSAGES" / "django.po"))
french = polib.POFile()
french.header = __doc__.strip().splitlines()[0]
french.metadata = {
    "Project-Id-Version": "grappe",
    "Language": "fr",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=2; plural=(n > 1);",
}
for entry in english:
    if entry.msgid_plural:
        french.append(
            polib.POEntry(
                msgid=entry.msgid,
                msgid_plural=entry.msgid_plural,
                msgstr_plural={0: entry.msgid, 1: entry.msgid_plural},
                occurrences=entry.occurrences,
            )
        )
target = root / "fr" / "LC_MESSAGES"
target.mkdir(parents=True, exist_ok=True)
french.save(str(target / "django.po"))
french.save_as_mofile(str(target / "django.mo"))
sys.stdout.write(f"{len(french)} French plural entries\n")

"""English interface: key pages switch language, and the English catalogue is complete.

The catalogue is ``grappe/locale/en/LC_MESSAGES/django.po``; its compiled ``django.mo`` is
committed too, so that no gettext tools are needed to run Grappe. To refresh both after
adding strings::

    cd grappe && DEBUG=1 ../.venv/bin/grappe makemessages -l en --no-obsolete \\
        --ignore=.venv --ignore=tests --ignore=bench -e html,txt,py
    # translate the new (empty) and fuzzy entries of the .po, then:
    cd .. && DEBUG=1 .venv/bin/grappe compilemessages --ignore=.venv

The .po is read with polib when it is installed, otherwise with the small parser below.
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

LOCALE_DIR = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"


@pytest.fixture(autouse=True)
def _back_to_default_language():
    """Requests activate a language for the thread: do not leak English into other tests."""
    yield
    translation.deactivate()


# ---------------------------------------------------------------------------- pages

# (url, an English string it shows, the French string it shows instead by default)
PUBLIC_PAGES = [
    ("/", "Clusters on this platform", "Les grappes de cette plateforme"),
    ("/legal/", "Hosting", "Hébergement"),
    ("/privacy/", "Privacy policy", "Politique de confidentialité"),
    ("/accounts/login/", "Forgot your password?", "Mot de passe oublié ?"),
    ("/c/paris/directory/", "Member directory", "Annuaire des membres"),
]


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize(("url", "english", "french"), PUBLIC_PAGES)
def test_pages_render_in_english_with_the_language_cookie(client, world, url, english, french):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _page(client, url)
    assert '<html lang="en">' in html
    assert english in html
    assert french not in html
    # The footer, on every page.
    assert "Legal notice" in html
    assert "Mentions légales" not in html


@pytest.mark.parametrize(("url", "english", "french"), PUBLIC_PAGES)
def test_pages_render_in_french_by_default(client, world, url, english, french):
    html = _page(client, url)
    assert '<html lang="fr">' in html
    assert french in html
    assert english not in html
    assert "Mentions légales" in html


def test_browser_language_is_honoured(client, db):
    response = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Privacy policy" in response.content.decode()


def test_directory_results_use_english_plurals(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _page(client, "/c/paris/directory/")
    assert "2 organizations" in html
    assert "Sound recording and music publishing" in html  # NAF label of the filters


def test_footer_switch_sets_the_language(client, db):
    html = _page(client, "/legal/")
    assert 'action="/i18n/setlang/"' in html
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/legal/"})
    assert response.status_code == 302
    assert response["Location"] == "/legal/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Legal notice" in _page(client, "/legal/")
    client.post("/i18n/setlang/", {"language": "fr", "next": "/legal/"})
    assert "Mentions légales" in _page(client, "/legal/")


# ------------------------------------------------------------------------ catalogue


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    line: int = 0

    def translations(self) -> list[str]:
        if self.msgid_plural is not None:
            return [self.msgstr_plural[i] for i in sorted(self.msgstr_plural)]
        return [self.msgstr]


@dataclass
class Catalogue:
    entries: list[Entry]
    header_fuzzy: bool
    header: str


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")


def _unquote(text: str) -> str:
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def parse_po(text: str) -> Catalogue:
    """A small .po reader: contexts, plurals, flags; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    header, header_fuzzy = "", False
    fields: dict[str, str] = {}
    flags: list[str] = []
    start = 0
    current: str | None = None

    def flush() -> None:
        nonlocal header, header_fuzzy, fields, flags, current
        if fields:
            if fields.get("msgid") == "" and "msgctxt" not in fields:
                header, header_fuzzy = fields.get("msgstr", ""), "fuzzy" in flags
            else:
                plural = {
                    int(key[7:-1]): value
                    for key, value in fields.items()
                    if key.startswith("msgstr[")
                }
                entries.append(
                    Entry(
                        msgid=fields["msgid"],
                        msgctxt=fields.get("msgctxt"),
                        msgid_plural=fields.get("msgid_plural"),
                        msgstr=fields.get("msgstr", ""),
                        msgstr_plural=plural,
                        flags=flags,
                        line=start,
                    )
                )
        fields, flags, current = {}, [], None

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):
            flush()  # an obsolete entry: dropped, with the flags before it
            continue
        if line.startswith("#,"):
            if fields:
                flush()
            flags.extend(flag.strip() for flag in line[2:].split(",") if flag.strip())
            continue
        if line.startswith("#"):
            if fields:
                flush()
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword = match.group(1)
            if keyword in ("msgctxt", "msgid") and "msgid" in fields:
                flush()  # entries not separated by a blank line
            if not fields:
                start = number
            current = keyword
            fields[keyword] = _unquote(match.group(3))
        elif line.startswith('"') and current is not None:
            fields[current] += _unquote(line)
        else:
            raise AssertionError(f"{PO_PATH.name}:{number}: unreadable line {raw!r}")
    flush()
    return Catalogue(entries=entries, header_fuzzy=header_fuzzy, header=header)


def load_catalogue() -> Catalogue:
    try:
        import polib
    except ImportError:
        return parse_po(PO_PATH.read_text(encoding="utf-8"))
    po = polib.pofile(str(PO_PATH))
    entries = [
        Entry(
            msgid=e.msgid,
            msgctxt=e.msgctxt,
            msgid_plural=e.msgid_plural or None,
            msgstr=e.msgstr,
            msgstr_plural={int(k): v for k, v in e.msgstr_plural.items()},
            flags=list(e.flags),
            line=e.linenum,
        )
        for e in po
        if not e.obsolete
    ]
    header = "".join(f"{k}: {v}\n" for k, v in po.metadata.items())
    return Catalogue(entries=entries, header_fuzzy=po.metadata_is_fuzzy, header=header)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    assert PO_PATH.exists(), f"missing {PO_PATH}: run makemessages (see the module docstring)"
    return load_catalogue()


def _where(entry: Entry) -> str:
    return f"{PO_PATH.name}:{entry.line}: {entry.msgid!r}"


def test_catalogue_is_english_and_not_empty(catalogue):
    assert len(catalogue.entries) > 100
    assert "Language: en" in catalogue.header
    assert "nplurals=2; plural=(n != 1);" in catalogue.header
    assert not catalogue.header_fuzzy


def test_catalogue_has_no_untranslated_entries(catalogue):
    untranslated = [
        _where(e) for e in catalogue.entries if not all(t.strip() for t in e.translations())
    ]
    assert not untranslated, "\n".join(untranslated)


def test_catalogue_has_no_fuzzy_entries(catalogue):
    fuzzy = [_where(e) for e in catalogue.entries if "fuzzy" in e.flags]
    assert not fuzzy, "\n".join(fuzzy)


_DIRECTIVE = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx%]")


def test_translations_keep_every_placeholder(catalogue):
    wrong = []
    for entry in catalogue.entries:
        if "python-format" not in entry.flags:
            continue
        if entry.msgid_plural:
            # The singular may leave the count out, as the French singular does ("Un appel").
            singular, plural = (
                set(_DIRECTIVE.findall(entry.msgid)),
                _DIRECTIVE.findall(entry.msgid_plural),
            )
            for index, text in entry.msgstr_plural.items():
                found = _DIRECTIVE.findall(text)
                ok = (
                    singular <= set(found) <= set(plural)
                    if index == 0
                    else sorted(found) == sorted(plural)
                )
                if not ok:
                    wrong.append(f"{_where(entry)} -> {text!r}")
            continue
        expected = sorted(_DIRECTIVE.findall(entry.msgid))
        if sorted(_DIRECTIVE.findall(entry.msgstr)) != expected:
            wrong.append(f"{_where(entry)} -> {entry.msgstr!r}")
    assert not wrong, "\n".join(wrong)


def test_compiled_catalogue_matches_the_po(catalogue):
    """The committed .mo is the compiled .po: recompile after every change to the .po."""
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    stale = []
    for entry in catalogue.entries:
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            ok = compiled.get(key) == entry.msgstr
        else:
            ok = all(compiled.get((key, i)) == t for i, t in entry.msgstr_plural.items())
        if not ok:
            stale.append(_where(entry))
    assert not stale, "django.mo is out of date for:\n" + "\n".join(stale)


def test_small_parser_agrees_with_polib():
    polib = pytest.importorskip("polib")
    ours = parse_po(PO_PATH.read_text(encoding="utf-8"))
    theirs = [e for e in polib.pofile(str(PO_PATH)) if not e.obsolete]
    assert [(e.msgctxt, e.msgid, e.msgid_plural, e.translations()) for e in ours.entries] == [
        (
            e.msgctxt,
            e.msgid,
            e.msgid_plural or None,
            [e.msgstr_plural[i] for i in sorted(e.msgstr_plural)] if e.msgid_plural else [e.msgstr],
        )
        for e in theirs
    ]
    assert [sorted(e.flags) for e in ours.entries] == [sorted(e.flags) for e in theirs]


def test_small_parser_reads_plurals_contexts_flags_and_skips_obsolete():
    sample = r"""# header comment
#, fuzzy
msgid ""
msgstr ""
"Language: en\n"

#: a.py:1
#, python-format
msgctxt "menu"
msgid "Bonjour %(name)s"
msgstr "Hello "
"%(name)s"

msgid "%(n)s structure"
msgid_plural "%(n)s structures"
msgstr[0] "%(n)s organization"
msgstr[1] "%(n)s organizations"

#~ msgid "Ancien"
#~ msgstr "Old"
msgid "Guillemets \"ici\"\n"
msgstr ""
"""
    parsed = parse_po(sample)
    assert parsed.header_fuzzy and parsed.header == "Language: en\n"
    first, second, third = parsed.entries
    assert (first.msgctxt, first.msgid, first.msgstr) == (
        "menu",
        "Bonjour %(name)s",
        "Hello %(name)s",
    )
    assert first.flags == ["python-format"]
    assert second.translations() == ["%(n)s organization", "%(n)s organizations"]
    assert third.msgid == 'Guillemets "ici"\n' and third.translations() == [""]

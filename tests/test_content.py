"""Every string exists in both languages, and every page has the text the app asks for."""
import re
from pathlib import Path

import pytest

from content import catalog
from ui import nav

ROOT = Path(__file__).resolve().parent.parent


def test_same_files_in_each_language():
    files = {lang: sorted(p.name for p in (catalog.CONTENT_DIR / lang).glob("*.txt")) for lang in catalog.LANGUAGES}
    assert files["en"] == files["ko"]


def test_every_key_exists_in_both_languages():
    en, ko = catalog.load("en"), catalog.load("ko")
    assert sorted(set(en) - set(ko)) == [], "keys missing in Korean"
    assert sorted(set(ko) - set(en)) == [], "keys missing in English"


def test_placeholders_match_between_languages():
    en, ko = catalog.load("en"), catalog.load("ko")
    for key in en:
        assert set(re.findall(r"\{(\w+)\}", en[key])) == set(re.findall(r"\{(\w+)\}", ko[key])), key


def test_korean_entries_are_korean():
    """A Korean entry that is character-for-character the English one is usually a forgotten translation."""
    en, ko = catalog.load("en"), catalog.load("ko")
    hangul = re.compile(r"[\uac00-\ud7a3]")
    for key, text in ko.items():
        if len(en[key]) > 40:  # short labels (ReLU, Adam, ...) may rightly stay the same
            assert hangul.search(text), f"{key} has no Korean text"


@pytest.mark.parametrize("spec", nav.PAGES, ids=lambda s: s.slug)
def test_every_page_has_its_text(spec):
    for lang in catalog.LANGUAGES:
        entries = catalog.load(lang)
        for key in ("title", "nav", "summary", "intro"):
            assert entries.get(f"{spec.slug}.{key}"), f"{lang}: {spec.slug}.{key} is missing or empty"
        assert (ROOT / spec.path).exists()


def test_text_keys_used_in_code_exist():
    """Literal t('page.key') calls must name real keys (catches typos before a user sees ⟨key⟩)."""
    en = catalog.load("en")
    pattern = re.compile(r"""\bt\(\s*["']([a-z_0-9]+\.[a-zA-Z_0-9]+)["']""")
    missing = []
    for path in list((ROOT / "lessons").glob("*.py")) + list((ROOT / "ui").glob("*.py")) + [ROOT / "app.py"]:
        for key in pattern.findall(path.read_text(encoding="utf-8")):
            if key not in en:
                missing.append(f"{path.name}: {key}")
    assert missing == []


def test_parser_rejects_duplicates_and_stray_text():
    with pytest.raises(ValueError):
        catalog.parse("=== a\nx\n=== a\ny")
    with pytest.raises(ValueError):
        catalog.parse("stray\n=== a\nx")
    assert catalog.parse("=== a\n line one\nline two\n\n=== b\nz") == {"a": "line one\nline two", "b": "z"}


# ---- the glossary (content/glossary.txt): one Korean word per concept ----------------------------------------

GLOSSARY = ROOT / "content" / "glossary.txt"


def glossary():
    """-> [(english, korean, [avoided patterns]), ...], allowed Latin words."""
    entries, allowed = [], set()
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.startswith("ALLOWED_LATIN:"):
            allowed = set(line.split(":", 1)[1].split())
        elif line.strip() and not line.startswith("#"):
            english, korean, avoid, _note = [part.strip() for part in (line + " | ").split("|")[:4]]
            patterns = []
            for variant in filter(None, (v.strip() for v in avoid.split(","))):
                if variant.startswith("/") and variant.rstrip("i").endswith("/"):
                    flags = re.I if variant.endswith("/i") else 0
                    patterns.append(re.compile(variant.rstrip("i")[1:-1], flags))
                else:
                    patterns.append(re.compile(re.escape(variant)))
            entries.append((english, korean, patterns))
    return entries, allowed


def _prose(text: str) -> str:
    """Korean text without what is not prose: link targets, maths, code, placeholders, HTML tags (a chart's hover
    template), and a route step's page name and preset (routes.txt: "slug | preset | goal")."""
    text = re.sub(r"(?m)^[a-z_]+ \|[^|\n]*\|", "", text)
    text = re.sub(r"<[^>]*>", "", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"\$\$?[^$]*\$\$?", "", text)
    text = re.sub(r"`[^`]*`", "", text)
    return re.sub(r"\{[^}]*\}", "", text)


def test_the_glossary_parses():
    entries, allowed = glossary()
    assert len(entries) >= 30 and "ReLU" in allowed


def test_korean_uses_the_glossary_words():
    entries, _ = glossary()
    found = []
    for key, text in catalog.load("ko").items():
        for english, korean, patterns in entries:
            for pattern in patterns:
                hit = pattern.search(_prose(text))
                if hit:
                    found.append(f"{key}: '{hit.group(0)}' -> {korean} ({english})")
    assert found == [], "\n".join(found)


def test_korean_prose_leaves_no_english_words():
    _, allowed = glossary()
    found = []
    for key, text in catalog.load("ko").items():
        for word in re.findall(r"[A-Za-z][A-Za-z\-']*[A-Za-z]", _prose(text)):
            if word not in allowed:
                found.append(f"{key}: {word}")
    assert found == [], "\n".join(found)


def test_english_has_no_korean():
    hangul = re.compile(r"[\uac00-\ud7a3]")
    found = [key for key, text in catalog.load("en").items() if hangul.search(text)]
    assert found == [], found

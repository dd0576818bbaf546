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
        elif line.startswith(("CITED:", "READING:")):
            continue  # cited() and readings() read these
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


def cited() -> set[str]:
    """The surnames a Korean citation may carry (glossary line CITED:)."""
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.startswith("CITED:"):
            return set(line.split(":", 1)[1].split())
    return set()


_NAME = r"[A-Z][A-Za-z\-']+"
_AUTHORS = rf"{_NAME}(?: & {_NAME}| 등)?"
_YEAR = r"(?:19|20)[0-9]{2}[a-z]?"
# The one citation style of the Korean text (content/glossary.txt, "citation"): Huang 등(2017), Ioffe & Szegedy(2015),
# or inside parentheses (Huang 등, 2017; Li 등, 2018), where more may follow the year: (Glorot & Bengio, 2010, 그림 6).
_CITATION = re.compile(rf"{_AUTHORS}\({_YEAR}\)|\({_AUTHORS}, {_YEAR}(?:; {_AUTHORS}, {_YEAR})*(?:, [^()]*)?\)")


def _without_citations(text: str) -> str:
    return _CITATION.sub(" ", text)


def test_korean_prose_leaves_no_english_words():
    """Every Latin word of Korean prose is a name or symbol the glossary allows (ALLOWED_LATIN); a surname (CITED) only
    inside a citation; Korean notebooks included (sigmoid, Xavier, LeCun in their prose were English left over)."""
    _, allowed = glossary()
    found = []
    for key, text in catalog.load("ko").items():
        for word in re.findall(r"[A-Za-z][A-Za-z\-']*[A-Za-z]", _without_citations(_prose(text))):
            if word not in allowed:
                found.append(f"{key}: {word}")
    assert found == [], "\n".join(found)


def test_korean_citations_follow_one_style():
    """Every year of Korean prose sits in a citation of the one style (Huang 등(2017), (Huang 등, 2017)); the surnames are
    in Latin letters and the glossary's CITED list (the text had "et al.", "외" and "글로럿과 벤지오" side by side)."""
    names = cited()
    found = []
    for key, text in catalog.load("ko").items():
        prose = _prose(text)
        for hit in _CITATION.finditer(prose):
            for name in re.findall(_NAME, hit.group(0)):
                if name not in names:
                    found.append(f"{key}: {name} is not a CITED surname ({hit.group(0)})")
        for year in re.finditer(rf"(?<![0-9,.]){_YEAR}(?![0-9])", _without_citations(prose)):
            found.append(f"{key}: a year outside the citation style: …{prose[max(0, year.start() - 30):year.end() + 2]}")
    assert found == [], "\n".join(found)


def readings() -> dict[str, str]:
    """{symbol or Latin word: how it is read aloud} (glossary lines READING:)."""
    out = {}
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.startswith("READING:"):
            for pair in line.split(":", 1)[1].split("|"):
                word, reading = pair.split()
                out[word] = reading
    return out


_DIGIT = dict(zip("0123456789", ("영", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구")))
_POWERS = {1: "십", 2: "백", 3: "천", 4: "만"}


def _number_reading(number: str) -> str:
    """How a plain number ends when read (Sino-Korean): 0.25 ends in 오, 10 in 십, 300 in 백, 1,000 in 천."""
    digits = number.replace(",", "")
    if "." not in digits and len(digits) > 1 and digits.endswith("0"):
        zeros = len(digits) - len(digits.rstrip("0"))
        return _POWERS.get(zeros, "만")
    return _DIGIT[digits[-1]]


def _final_consonant(syllable: str) -> int:
    """The final consonant (받침) of a Hangul syllable: 0 none, 8 ㄹ, other numbers the others."""
    return (ord(syllable) - 0xAC00) % 28


# A particle after a symbol or a number: its two forms (after a consonant, after a vowel), then a word boundary.
_PARTICLES = {"은": 0, "는": 1, "을": 0, "를": 1, "과": 0, "와": 1, "가": 1, "으로": 0, "이": 0}
_AFTER = re.compile(r"(?P<token>[0-9][0-9,]*(?:\.[0-9]+)?|[A-Za-z][A-Za-z0-9]*|[ελαβγδηθμσρτψΣΔ])"
                    r"(?P<particle>으로|[은는을를과와가이])(?=[\s.,:;!?)\]…]|$)")


def particle_errors(text: str, reading: dict[str, str]) -> list[str]:
    """Particles that do not fit the reading before them (ε는 → ε은, λ을 → λ를, 1,000를 → 1,000을); a word the
    glossary gives no reading for is left alone. "이" counts only as the subject particle (a word on its own), never
    as the copula (입니다, 이고)."""
    found = []
    text = text.replace("*", "")  # **ε**는 is read as ε는
    for hit in _AFTER.finditer(text):
        token, particle = hit.group("token"), hit.group("particle")
        if hit.start() > 0 and (text[hit.start() - 1].isalnum() or text[hit.start() - 1] in "_^"):
            continue  # part of a longer token (x₁, 2x, W_1): no reading to check
        if token[0].isdigit():
            said = _number_reading(token)
        elif token in reading:
            said = reading[token]
        else:
            continue
        final = _final_consonant(said[-1])
        consonant = final != 0
        if particle == "으로":
            wrong = final in (0, 8)  # a vowel or ㄹ takes 로
        elif particle == "이":
            wrong = not consonant
        else:
            wrong = _PARTICLES[particle] == int(consonant)
        if wrong:
            found.append(f"{token}{particle} (read {said})")
    return found


def test_particles_after_symbols_and_numbers_follow_their_reading():
    """ε is read 엡실론, so ε은/ε이/ε을 (the text had ε는, ε가, ε를); λ 람다 takes 는/가/를; L1 엘원 takes 은, L2 엘투
    takes 는; 10 십 takes 은/을, 0.25 (…오) takes 는/를. Readings: the glossary's READING lines."""
    reading = readings()
    assert particle_errors("ε는 0으로 나누는 것을 막고, ε가 지배하며, BN ε를 바꾸면", reading) == \
        ["ε는 (read 엡실론)", "ε가 (read 엡실론)", "ε를 (read 엡실론)"]
    assert particle_errors("ε은 작고 λ는 크며 L1은 0을, L2는 10을 0.25로 Adam을 1,000을", reading) == []
    assert particle_errors("λ을 L2은 10를 Adam를 1로 3으로 0.5으로", reading) == \
        ["λ을 (read 람다)", "L2은 (read 엘투)", "10를 (read 십)", "Adam를 (read 아담)", "0.5으로 (read 오)"]
    found = []
    for key, text in catalog.load("ko").items():
        found += [f"{key}: {error}" for error in particle_errors(_prose(text), reading)]
    assert found == [], "\n".join(found)


# Words a formula may keep inside \text{...} on a Korean page: notation (subscripts such as L_train), not sentences.
FORMULA_NOTATION = {"train", "test", "val", "data", "batch", "source", "target", "new", "Bernoulli", "running\\_var",
                    "MSE", "MAE", "CE", "BCE", "Huber"}


def test_formulas_take_their_words_from_the_catalog():
    """A word of a formula that a student reads as English (the dropout formulas' "classic test:", "inverted:",
    regularization's "decoupled") comes from the page's text in its language; only notation stays in the code."""
    found = []
    for path in sorted((ROOT / "lessons").glob("*.py")):
        for text in re.findall(r"\\text\{\{([^{}]*)\}\}", path.read_text(encoding="utf-8")):
            if text.strip() not in FORMULA_NOTATION:
                found.append(f"{path.name}: \\text{{{text}}}")
    assert found == [], "\n".join(found)


def test_english_has_no_korean():
    hangul = re.compile(r"[\uac00-\ud7a3]")
    found = [key for key, text in catalog.load("en").items() if hangul.search(text)]
    assert found == [], found

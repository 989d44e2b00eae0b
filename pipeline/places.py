"""Which place a page is about: pure functions over the text, no spaCy.

Sources, strongest first (shared/corpus/GUIDELINES.md, jurisdiction):
the footer ("State Massachusetts", "Type City"), a place title ("Fitchburg,
MA", "Polk County, FL"), then the narrative: the place a news headline
names, the dateline ("SEATTLE —", "MADISON, Wis. —"), the county a
"countywide" story keeps naming. The vocabularies (state names, USPS codes,
AP abbreviations, AP's stand-alone dateline cities, type words) are data in
models/jurisdiction/.

Every finding carries (start, end) offsets into the text it was read from.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Optional

from pydantic import BaseModel, ConfigDict

from pipeline.text_scan import matches_not_after

# ---------------------------------------------------------------- vocabularies


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StateEntry(_Strict):
    name: str
    code: str
    abbreviations: list[str] = []


class CityEntry(_Strict):
    name: str
    state: str


class StatesLexicon(_Strict):
    states: list[StateEntry]
    standalone_cities: list[CityEntry] = []


class GazetteerLexicon(_Strict):
    """US places and their states: a city's states with its population, a county's states."""
    source: str
    cities: dict[str, list[tuple[str, int]]]
    counties: dict[str, list[str]]


class TypesLexicon(_Strict):
    county_words: list[str]
    city_nouns: list[str]
    city_determiners: list[str]
    region_words: list[str]
    region_prefixes: list[str]
    county_cues: list[str]
    state_cues: list[str]
    not_places: list[str]


@dataclass
class PlaceVocab:
    states: StatesLexicon
    types: TypesLexicon
    gazetteer: Optional[GazetteerLexicon] = None
    by_key: dict[str, StateEntry] = field(default_factory=dict)
    cities: dict[str, str] = field(default_factory=dict)
    not_places: frozenset = frozenset()
    city_names: dict[str, str] = field(default_factory=dict)  # lower-case -> the first entry's spelling

    def __post_init__(self) -> None:
        for st in self.states.states:
            for key in [st.name, st.code] + st.abbreviations:
                self.by_key[_state_key(key)] = st
        self.cities = {c.name.lower(): c.state for c in self.states.standalone_cities}
        for c in self.states.standalone_cities:
            self.city_names.setdefault(c.name.lower(), c.name)
        self.not_places = frozenset(self.types.not_places)

    def state(self, text: str) -> Optional[StateEntry]:
        """"Massachusetts", "MA", "Mass.", "S.D." -> the state; None otherwise."""
        return self.by_key.get(_state_key(text))

    def gazetteer_states(self, name: str) -> list[str]:
        """USPS codes of the states that have a place so named, most populous first for cities."""
        if self.gazetteer is None:
            return []
        if name in self.gazetteer.counties:
            return list(self.gazetteer.counties[name])
        return [code for code, _ in self.gazetteer.cities.get(name, [])]

    def state_by_code(self, code: str) -> Optional[StateEntry]:
        return self.by_key.get(_state_key(code))

    def state_name(self, text: str) -> Optional[StateEntry]:
        """Only a full state name ("Ohio", "south dakota"), never a code or abbreviation."""
        st = self.state(text)
        return st if st is not None and st.name.lower() == " ".join(text.split()).lower() else None


def _state_key(text: str) -> str:
    return re.sub(r"[\s\u00a0]+", " ", text.strip()).lower()


# ---------------------------------------------------------------- findings


@dataclass(frozen=True)
class Found:
    """A value read from text[start:end] by `rule`."""
    value: str
    start: int
    end: int
    rule: str


@dataclass
class Place:
    name: Optional[Found] = None
    state: Optional[Found] = None        # value: the state's full name
    state_code: Optional[str] = None
    type: Optional[Found] = None
    confidence: float = 0.0


# ---------------------------------------------------------------- title

_TITLE = re.compile(
    r"^(?:(?:City|Town|Village|Township)[\s\u00a0]+of[\s\u00a0]+)?"
    r"(?P<name>[A-Z][\w.'’\- ]*?[\w.])\s*,[\s\u00a0]*(?P<state>[A-Z][A-Za-z.]*(?:[\s\u00a0][A-Z][A-Za-z.]*)?)"
    r"\s*(?:[-–—|:][^\n]*)?$")


def parse_title(title: str, vocab: PlaceVocab, offset: int = 0) -> Optional[tuple[Found, Found]]:
    """"Fitchburg, MA" -> (Found("Fitchburg"), Found("Massachusetts")); None when not "Place, State"."""
    lead = len(title) - len(title.lstrip("\ufeff\u200b\u200e\u2060 \t\u00a0"))
    title, offset = title[lead:], offset + lead
    m = _TITLE.match(title)
    if not m:
        return None
    st = vocab.state(m.group("state"))
    if st is None:
        return None
    name = Found(m.group("name").strip(), offset + m.start("name"), offset + m.end("name"), "title_place")
    state = Found(st.name, offset + m.start("state"), offset + m.end("state"), "title_state")
    return name, state


# ---------------------------------------------------------------- dateline

_DATELINE = re.compile(
    r"(?m)^[ \t\u00a0]*(?P<place>[A-Z][A-Z.'’\- ]*[A-Z.])"
    r"(?:,[ \t\u00a0]*(?P<state>[A-Z][A-Za-z.]*(?:[ \u00a0][A-Z][A-Za-z.]*)?))?"
    r"[ \t\u00a0]*(?:\([^)\n]{0,40}\))?[ \t\u00a0]*(?:—|–|--)")


# A mixed-case dateline names its state: "Tampa, Fla. (AP) —".
_DATELINE_MIXED = re.compile(
    r"(?m)^[ \t\u00a0]*(?P<place>[A-Z][a-z.'’\-]+(?:[ \u00a0][A-Z][a-z.'’\-]+){0,3})"
    r",[ \t\u00a0]*(?P<state>[A-Z][A-Za-z.]*(?:[ \u00a0][A-Z][A-Za-z.]*)?)"
    r"[ \t\u00a0]*(?:\([^)\n]{0,40}\))?[ \t\u00a0]*(?:—|–|--)")


def find_dateline(text: str, vocab: PlaceVocab, limit: int = 1500) -> Optional[tuple[Found, Optional[Found]]]:
    """The news dateline near the top: "SEATTLE —", "MADISON, Wis. —", "COLUMBUS, Ohio (Sept. 13) —"."""
    found = _find_dateline(_DATELINE, text, vocab, limit)
    if found is None:
        found = _find_dateline(_DATELINE_MIXED, text, vocab, limit, need_state=True)
    return found


def _find_dateline(pattern: re.Pattern, text: str, vocab: PlaceVocab, limit: int,
                   need_state: bool = False) -> Optional[tuple[Found, Optional[Found]]]:
    for m in pattern.finditer(text, 0, min(len(text), limit)):
        place = m.group("place").strip()
        if len(place) < 3 or not any(c.isalpha() for c in place):
            continue
        state = None
        if m.group("state"):
            st = vocab.state(m.group("state"))
            if st is None:
                continue
            state = Found(st.name, m.start("state"), m.end("state"), "dateline_state")
        elif need_state:
            continue
        return Found(title_case(place), m.start("place"), m.end("place"), "dateline"), state
    return None


def title_case(text: str) -> str:
    """"PORT HURON" -> "Port Huron", "ST. LOUIS" -> "St. Louis"; mixed-case text is kept."""
    if text != text.upper():
        return text
    return " ".join(w[:1] + w[1:].lower() for w in text.split())


# ---------------------------------------------------------------- candidates in running text

_PROPER = re.compile(r"(?:[A-Z][a-z]+[a-z.'’\-]*|[A-Z]\.[A-Z]\.|St\.)(?:[ \u00a0](?:[A-Z][a-z]+[a-z'’\-]*|St\.))*")
_QUOTED = re.compile(r"[“\"‘][^“”\"‘’\n]{1,80}[”\"’]")


def proper_names(text: str, vocab: PlaceVocab, offset: int = 0) -> list[Found]:
    """Capitalized word sequences that could name a place ("King County", "Port Huron"), in order.

    Quoted titles ("Buyer Beware") are skipped, a possessive "’s" is dropped,
    and leading / trailing words that are no place ("Police", "The") are trimmed.
    """
    masked = _QUOTED.sub(lambda m: " " * len(m.group()), text)
    out = []
    for m in _PROPER.finditer(masked):
        words = [(w.group(), m.start() + w.start()) for w in re.finditer(r"\S+", m.group())]
        while words and _bare(words[0][0]) in vocab.not_places:
            words.pop(0)
        keep = set(vocab.types.county_words) | {"City"}  # "King County", "Oklahoma City"
        while words and _bare(words[-1][0]) in vocab.not_places \
                and not (len(words) > 1 and _bare(words[-1][0]) in keep):
            words.pop()
        if not words:
            continue
        start = words[0][1]
        end = words[-1][1] + len(words[-1][0])
        value = text[start:end]
        for suffix in ("’s", "'s"):
            if value.endswith(suffix):
                value, end = value[:-2], end - 2
        value = value.rstrip(".") if not vocab.state(value) else value
        end = start + len(value)
        if len(value) < 3 or value in vocab.not_places:
            continue
        out.append(Found(value, offset + start, offset + end, "headline_place"))
    return out


def _bare(word: str) -> str:
    for suffix in ("’s", "'s"):
        if word.endswith(suffix):
            return word[:-2]
    return word


def count_mentions(text: str, name: str) -> int:
    """How often `name` occurs as a capitalized word sequence (not as part of a longer name)."""
    if not name:  # empty matches: the regex's own count
        return sum(1 for _ in re.finditer(r"(?<![\w])(?![a-z])", text))
    if not _head_in(name, text):
        return 0
    # not after a word character: the lookbehind `(?<![\w])`, checked on each hit (pipeline.text_scan)
    return sum(1 for _ in matches_not_after(_mention_pattern(name), _WORD_CHAR, text))


def _head_in(name: str, text: str) -> bool:
    """Whether `name`'s first word (up to its first space) is in `text`: a pattern that
    spells `name` with any space between its words can only match then."""
    return name.split(" ", 1)[0] in text


_WORD_CHAR = re.compile(r"\w")


@lru_cache(maxsize=4096)
def _mention_pattern(name: str) -> re.Pattern:
    """`name` with any space between its words, not followed by a lower-case letter."""
    return re.compile(re.escape(name).replace(r"\ ", r"[\s\u00a0]") + r"(?![a-z])")


@lru_cache(maxsize=1024)
def _state_pattern(key: str) -> re.Pattern:
    pattern = re.escape(key).replace(r"\ ", r"[\s\u00a0]")
    return re.compile(r"(?<![\w.])" + pattern + (r"(?![\w])" if key[-1] != "." else ""))


def most_named_county(text: str, vocab: PlaceVocab) -> Optional[Found]:
    """The county (or parish / borough) the text names most often, first occurrence."""
    words = "|".join(re.escape(w) for w in vocab.types.county_words)
    counts: Counter = Counter()
    first: dict[str, Found] = {}
    for m in re.finditer(r"(?:[A-Z][a-z]+[ \u00a0]){1,3}(?:" + words + r")\b", text):
        value = " ".join(w for w in m.group().split() if w not in vocab.not_places or w in vocab.types.county_words)
        if value.split()[0] in vocab.types.county_words:
            continue
        counts[value] += 1
        start = m.start() + m.group().find(value.split()[0])
        first.setdefault(value, Found(value, start, m.end(), "most_named_county"))
    if not counts:
        return None
    value, _ = max(counts.items(), key=lambda kv: (kv[1], -first[kv[0]].start))
    return first[value]


def most_named_state(text: str, vocab: PlaceVocab, only: Optional[set[str]] = None) -> Optional[Found]:
    """The state the text names most often (full names and AP abbreviations), among `only` codes if given."""
    counts: Counter = Counter()
    first: dict[str, Found] = {}
    for st in vocab.states.states:
        if only is not None and st.code not in only:
            continue
        keys = [st.name] + [a for a in st.abbreviations if "." in a]
        for key in keys:
            if not _head_in(key, text):
                continue
            for m in _state_pattern(key).finditer(text):
                if st.name == "Washington" and re.match(r"[\s\u00a0]*(?:,[\s\u00a0]*)?D\.?C\b", text[m.end():]):
                    continue
                counts[st.name] += 1
                first.setdefault(st.name, Found(st.name, m.start(), m.end(), "most_named_state"))
    if not counts:
        return None
    value, _ = max(counts.items(), key=lambda kv: (kv[1], -first[kv[0]].start))
    return first[value]


def state_after_name(text: str, name: str, vocab: PlaceVocab) -> Optional[Found]:
    """"Madison, Wis." / "Sioux Falls, South Dakota" anywhere in the text: the state written after the name."""
    pattern = re.escape(name).replace(r"\ ", r"[\s\u00a0]")
    for m in re.finditer(r"(?i)" + pattern + r",[\s\u00a0]*([A-Z][A-Za-z.]*(?:[ \u00a0][A-Z][A-Za-z.]*)?)", text):
        cand = m.group(1)
        for k in (cand, cand.split()[0]):
            st = vocab.state(k)
            if st is not None and (k != st.code or k.isupper()):
                end = m.start(1) + len(k)
                return Found(st.name, m.start(1), end, "state_after_name")
    return None


# ---------------------------------------------------------------- type


def is_county_name(name: str, vocab: PlaceVocab) -> bool:
    return bool(name) and name.split()[-1] in vocab.types.county_words


def is_region_name(name: str, vocab: PlaceVocab) -> bool:
    words = name.split()
    if len(words) < 2:
        return False
    if words[-1] in vocab.types.region_words:
        return True
    return words[0] in vocab.types.region_prefixes and vocab.state_name(" ".join(words[1:])) is not None


def city_cue(text: str, vocab: PlaceVocab, name: Optional[str] = None) -> Optional[tuple[int, int]]:
    """Where the text calls its place a city or town ("the city", "our city", "both cities", "a city of")."""
    # the nouns are matched as written: a text without one of them holds no match
    if any(n in text for n in vocab.types.city_nouns):
        m = _city_cue_pattern(tuple(vocab.types.city_determiners), tuple(vocab.types.city_nouns)).search(text)
        if m:
            return m.start(), m.end()
    if name and name in text:
        m = re.search(r"\b(?:city|town|City|Town)[ \u00a0]+of[ \u00a0]+" + re.escape(name) + r"\b", text)
        if m:
            return m.start(), m.end()
    return None


@lru_cache(maxsize=16)
def _city_cue_pattern(determiners: tuple[str, ...], nouns: tuple[str, ...]) -> re.Pattern:
    dets = "|".join(re.escape(d) for d in determiners)
    words = "|".join(re.escape(n) for n in nouns)
    return re.compile(r"(?i:\b(?:" + dets + r"))[ \u00a0]+(?:[a-z][\w-]*[ \u00a0]+){0,2}(?:" + words + r")(?:[’']s)?\b")


def jurisdiction_type(name: Optional[str], vocab: PlaceVocab, footer_type: Optional[str] = None,
                      called_city: bool = False) -> Optional[str]:
    """GUIDELINES' type rules, in order: footer Type; County; State; Region; City when called one; else None."""
    if footer_type:
        ft = footer_type.strip().title()
        if ft in ("City", "County", "State", "Region"):
            return ft
        if ft in ("Town", "Village", "Township"):
            return "City"
        if ft in ("Parish", "Borough"):
            return "County"
    if not name:
        return None
    if is_county_name(name, vocab):
        return "County"
    if vocab.state_name(name) is not None:
        return "State"
    if is_region_name(name, vocab):
        return "Region"
    if called_city:
        return "City"
    return None


# ---------------------------------------------------------------- the whole decision


def headline_zone(text: str, body_start: int, dateline_start: Optional[int], max_chars: int = 600) -> tuple[int, int]:
    """The headline lines: from the top to the dateline or the first line of running text.

    Running text is a line over 200 characters, or one of eight or more
    words ending like a sentence; headlines, bylines and dates do not.
    """
    end = min(len(text), max_chars)
    if dateline_start is not None:
        end = min(end, dateline_start)
    for m in re.finditer(r"[^\r\n]+", text[:end]):
        if m.start() < body_start:
            continue
        line = m.group().strip()
        if len(line) > 200 or (len(line.split()) >= 8 and line[-1:] in ".!?\"”’"):
            end = m.start()
            break
    return 0, end


def resolve_place(text: str, vocab: PlaceVocab, *, title: Optional[tuple[int, int]] = None,
                  footer_state: Optional[tuple[int, int]] = None,
                  footer_type: Optional[tuple[int, int]] = None,
                  narrative: Optional[list[tuple[int, int]]] = None) -> Place:
    """Decide name, state and type from footer, title and narrative (offsets into `text`)."""
    place = Place()
    narrative = narrative or [(0, len(text))]
    body = "\n".join(text[s:e] for s, e in narrative)

    if footer_state is not None:
        st = vocab.state(text[footer_state[0]:footer_state[1]])
        if st is not None:
            place.state = Found(st.name, footer_state[0], footer_state[1], "footer_state")
    if title is not None:
        parsed = parse_title(text[title[0]:title[1]], vocab, offset=title[0])
        if parsed is not None:
            place.name = parsed[0]
            if place.state is None:
                place.state = parsed[1]
            place.confidence = 0.95

    dateline = find_dateline(text, vocab)
    if place.name is None:
        place.name = _narrative_name(text, vocab, title, dateline, body)
        place.confidence = 0.7 if place.name is not None else 0.0

    if place.name is not None and vocab.state_name(place.name.value) is not None and place.state is None:
        st = vocab.state_name(place.name.value)
        place.state = Found(st.name, place.name.start, place.name.end, "state_is_place")
    if place.state is None and dateline is not None and dateline[1] is not None:
        place.state = dateline[1]
    if place.state is None and place.name is not None:
        place.state = state_after_name(text, place.name.value, vocab)
        if place.state is None and place.name.value.lower() in vocab.cities:
            st = vocab.state_by_code(vocab.cities[place.name.value.lower()])
            if st is not None:
                place.state = Found(st.name, place.name.start, place.name.end, "standalone_city")
        if place.state is None:
            place.state = gazetteer_state(text, place.name, vocab)
        if place.state is None and dateline is not None and dateline[0].value.lower() in vocab.cities:
            st = vocab.state_by_code(vocab.cities[dateline[0].value.lower()])
            if st is not None:
                place.state = Found(st.name, dateline[0].start, dateline[0].end, "standalone_city")
        if place.state is None:
            place.state = _standalone_city_in(text, vocab) or most_named_state(text, vocab)
    if place.state is not None:
        st = vocab.state(place.state.value)
        place.state_code = st.code if st else None

    ftype = text[footer_type[0]:footer_type[1]] if footer_type is not None else None
    name = place.name.value if place.name is not None else None
    cue = None
    if title is not None and place.name is not None and place.name.rule == "title_place":
        m = re.match(r"[\ufeff\s]*(?:City|Town|Village|Township)[\s\u00a0]+of\b", text[title[0]:title[1]])
        if m:  # "City of Fitchburg, MA"
            cue = (title[0] + m.start(), title[0] + m.end())
    if name is not None and not ftype and cue is None:
        for s, e in narrative:
            found = city_cue(text[s:e], vocab, name)
            if found:
                cue = (s + found[0], s + found[1])
                break
    value = jurisdiction_type(name, vocab, ftype, called_city=cue is not None)
    if value is not None:
        if ftype and footer_type is not None:
            place.type = Found(value, footer_type[0], footer_type[1], "footer_type")
        elif value == "City" and cue is not None:
            place.type = Found(value, cue[0], cue[1], "city_cue")
        else:
            rule = {"County": "county_name", "State": "state_name", "Region": "region_name"}.get(value, "type")
            place.type = Found(value, place.name.start, place.name.end, rule)
    return place


def gazetteer_state(text: str, name: Found, vocab: PlaceVocab) -> Optional[Found]:
    """The state of a place the page names without one ("Madison", "Palm Beach County").

    Among the states that have a place so named, the one the text names (or
    whose stand-alone dateline city it names) wins; else the only one, or for
    a city the most populous.
    """
    codes = vocab.gazetteer_states(name.value)
    if not codes:
        return None
    named = most_named_state(text, vocab, only=set(codes))
    if named is not None:
        return named
    standalone = _standalone_city_in(text, vocab)
    if standalone is not None and vocab.state(standalone.value).code in codes:
        return standalone
    is_county = vocab.gazetteer is not None and name.value in vocab.gazetteer.counties
    if len(codes) == 1 or not is_county:
        st = vocab.state_by_code(codes[0])
        if st is not None:
            return Found(st.name, name.start, name.end, "gazetteer")
    return None


def _standalone_city_in(text: str, vocab: PlaceVocab) -> Optional[Found]:
    """A city AP datelines name without a state ("Seattle", "Boston"), the most named one."""
    best: Optional[tuple[int, Found]] = None
    for city, code in vocab.cities.items():
        if city == "washington":
            continue
        name = vocab.city_names[city]
        n = count_mentions(text, name)
        if n:
            st = vocab.state_by_code(code)
            m = re.search(re.escape(name), text)
            if st is not None and m and (best is None or n > best[0]):
                best = (n, Found(st.name, m.start(), m.end(), "standalone_city"))
    return best[1] if best else None


def _narrative_name(text: str, vocab: PlaceVocab, title: Optional[tuple[int, int]],
                    dateline: Optional[tuple[Found, Optional[Found]]], body: str) -> Optional[Found]:
    body_start = title[1] if title else 0
    _, zone_end = headline_zone(text, body_start, dateline[0].start if dateline else None)
    zone = text[:zone_end]
    rest = text[zone_end:]
    for cand in proper_names(zone, vocab):
        if count_mentions(rest, cand.value) == 0 and vocab.state_name(cand.value) is None \
                and not (dateline and dateline[0].value.lower() == cand.value.lower()):
            continue
        return _extend_county(cand, text, vocab, dateline)
    lowered = zone.lower()
    if any(c in lowered for c in vocab.types.state_cues):
        state = dateline[1] if dateline is not None and dateline[1] is not None else most_named_state(text, vocab)
        if state is not None:
            return Found(state.value, state.start, state.end, "statewide_state")
    if any(c in lowered for c in vocab.types.county_cues):
        county = most_named_county(text, vocab)
        if county is not None:
            return county
    if dateline is not None:
        return _extend_county(dateline[0], text, vocab, dateline)
    return None


def _extend_county(cand: Found, text: str, vocab: PlaceVocab,
                   dateline: Optional[tuple[Found, Optional[Found]]]) -> Found:
    """"Polk" (sheriff) -> "Polk County" when the page names the county so."""
    if is_county_name(cand.value, vocab) or vocab.state_name(cand.value) is not None:
        return cand
    if dateline is not None and dateline[0].value.lower().startswith(cand.value.lower() + " ") \
            and is_county_name(dateline[0].value, vocab):
        return Found(dateline[0].value, dateline[0].start, dateline[0].end, "headline_county")
    for word in vocab.types.county_words:
        longer = f"{cand.value} {word}"
        n = count_mentions(text, longer)
        if n and n >= count_mentions(text, cand.value) - n:
            m = re.search(re.escape(longer).replace(r"\ ", r"[\s\u00a0]"), text)
            return Found(longer, m.start(), m.end(), "headline_county")
    return cand


def iter_found(place: Place) -> Iterable[Found]:
    seen = set()
    for f in (place.name, place.state, place.type):
        if f is not None and (f.start, f.end, f.rule) not in seen:
            seen.add((f.start, f.end, f.rule))
            yield f

"""Named agencies in a page (pure functions, no spaCy).

The agencies component (pipeline/components/agencies.py) tokenizes the page
and runs PhraseMatchers for the head phrases, plural heads and gazetteer
names of models/agencies/; everything after that happens here, on the
page's `Tokens` (token columns, a `Tok` built only for each token the rules
read; any `Tok` sequence will do) and token-index `Hit`s:

1. Coordinated heads: "the Northborough, Southborough and Westborough police
   departments" and "the police departments of Port Huron and Marysville"
   give one agency per place, each with its own span.
2. Head candidates: a head ("Police Department", "Sheriff's Office", "Task
   Force", "Office for ...") with the proper-noun run before it (capitalized
   tokens, "and"/"&" between capitalized words, "of" after a word such as
   University) and, for heads that take one, the name after it ("Office for
   Victim Assistance"). A head with no name is an unnamed body ("the
   police", "state and local police") and is dropped, except the few heads
   that name one body on their own ("Attorney General's Office").
3. Gazetteer names and acronyms (FBI, ICE, NCMEC, ...).
4. Named units: "Houston Police Department's Vice Unit" and "the Sheriff's
   Office, whose Narcotics Division" are "<parent> <unit>".
5. Abbreviations the page defines (pipeline.abbreviations): the short form
   is an alias and its later bare uses are mentions.
6. Key Partners items, named non-profits after a cue ("organizations, Selah
   Freedom and Heartland for Children") or listed with a known agency
   ("Harris County Precinct 1, the YMCA and Rescue USA"), and capitalized
   acronym names the page repeats ("CEASE Boston").
7. One entry per agency: names are merged on the scorer's normal form, a
   name that is another with a state or "U.S." in front is an alias of it.

Media outlets, websites, people and unnamed bodies are not agencies.
Every offset is a code-point index into the page text.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from operator import or_
from typing import Iterable, Iterator, Literal, Optional, Sequence, Union

from pydantic import BaseModel, ConfigDict, Field

from pipeline.abbreviations import Abbreviation, find_named_as, short_form_occurrences
from pipeline.text_scan import occurrences

AgencyKind = Literal["police", "sheriff", "state_police", "prosecutor", "court", "federal",
                     "state_agency", "local_government", "task_force", "ngo", "other"]
Case = Literal["title", "upper", "lower"]

SENTENCE_END = {".", "!", "?"}
OPENERS = {".", "!", "?", ":", ";", "“", "\"", "‘", "—", "–", "•", "(", "|", "*", "·", "▪"}
# After the last capitalized word, these say the name goes on in lower case.
NAME_GOES_ON = {"for", "of", "to", "against", "on", "at", "in", "the", "with"}
# Lower-case words a listed name may hold besides the inner connectors ("Children at Risk").
NAME_LOWER_WORDS = {"at", "in", "de", "la", "du", "del"}
# Function words a title-case name may hold ("Internet Crimes Against Children").
TITLE_CASE_CONNECTORS = {"against", "of", "for", "and", "on", "to"}
# Heads a place may precede in the possessive: "Tacoma's police department".
PLACE_POSSESSIVE_KINDS = {"police", "sheriff", "prosecutor", "court"}
ORDINAL = re.compile(r"^\d+(?:st|nd|rd|th)$")
LEADING_THE = re.compile(r"^the\s+")
PUNCTUATION = re.compile(r"[^\w\s]")
SPACES = re.compile(r"\s+")
WORD_CHAR = re.compile(r"\w")
APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "\u00a0": " "})


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    doc: str = Field(default="", alias="_doc")


class Head(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phrase: str = Field(min_length=1)
    canonical: str = Field(min_length=1)
    kind: Optional[AgencyKind] = None
    role: Literal["agency", "unit"] = "agency"
    cases: list[Case] = ["title", "upper"]
    bare: bool = False
    right: list[str] = []
    number: bool = False
    needs_name: bool = False
    not_followed_by: list[str] = []


class PluralHead(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phrase: str = Field(min_length=1)
    canonical: str = Field(min_length=1)
    kind: AgencyKind
    needs_list: bool = False


class HeadLexicon(_Model):
    heads: list[Head] = Field(min_length=1)
    plurals: list[PluralHead] = []


class GazetteerEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    kind: AgencyKind
    variants: list[str] = []
    acronyms: list[str] = []


class Gazetteer(_Model):
    entries: list[GazetteerEntry] = Field(min_length=1)


class MediaLexicon(_Model):
    outlets: list[str] = []
    words: list[str] = []
    call_sign: str = r"^[KW][A-Z]{2,3}$"
    website_suffixes: list[str] = []


class AgencyLexicon(_Model):
    inner_connectors: list[str]
    left_connectors: list[str]
    of_nouns: list[str]
    name_breakers: list[str]
    sentence_stop_words: list[str] = []
    not_names: list[str]
    generic_words: list[str]
    person_titles: list[str]
    head_blockers: dict[str, list[str]]
    ngo_cues: list[str]
    cue_fillers: list[str]
    federal_prefixes: list[str]
    local_words: list[str]
    possessives: list[str]
    unit_pointers: list[str]
    states: list[str]
    state_codes: list[str]
    not_agencies: list[str]
    not_agency_words: list[str]
    acronym_stoplist: list[str]
    appositive_nouns: list[str] = []


@dataclass(frozen=True)
class Tok:
    """A token: its text, offsets, and what separates it from the previous one."""
    text: str
    start: int
    end: int
    space_before: bool = True
    nl_before: bool = False

    @property
    def lower(self) -> str:
        return self.text.lower()


class Tokens(Sequence[Tok]):
    """The tokens of a page as columns, with a `Tok` built only for the tokens read.

    A page has hundreds of tokens and the rules look closely at a few dozen
    (around head words, names and lists); building a `Tok` for every one of
    them cost more than the rules themselves. The page-wide scans read the
    columns (`texts`, `lowers`, `nl_before`) instead; `toks[i]` builds
    (once) the `Tok` of one token, `toks[k:e]` a list of them."""

    __slots__ = ("texts", "starts", "ends", "space_before", "nl_before", "_lowers", "_toks",
                 "_line_starts", "_breaks")

    def __init__(self, texts: list[str], starts: list[int], ends: list[int],
                 space_before: list[bool], nl_before: list[bool]):
        self.texts = texts
        self.starts = starts
        self.ends = ends
        self.space_before = space_before
        self.nl_before = nl_before
        self._lowers: Optional[list[str]] = None
        self._toks: list[Optional[Tok]] = [None] * len(texts)
        self._line_starts: Optional[list[int]] = None
        self._breaks: Optional[list[int]] = None

    @classmethod
    def of(cls, toks: Sequence[Tok]) -> "Tokens":
        """`toks` as columns (itself when it already is)."""
        if isinstance(toks, Tokens):
            return toks
        table = cls([t.text for t in toks], [t.start for t in toks], [t.end for t in toks],
                    [t.space_before for t in toks], [t.nl_before for t in toks])
        table._toks = list(toks)
        return table

    @property
    def lowers(self) -> list[str]:
        """Every token in lower case (what `Tok.lower` gives), computed on first use."""
        if self._lowers is None:
            self._lowers = list(map(str.lower, self.texts))
        return self._lowers

    def where(self, flags: Iterable[bool]) -> list[int]:
        """The indices of the tokens whose flag is true (`flags` in token order)."""
        return list(compress(range(len(self.texts)), flags))

    @property
    def line_starts(self) -> list[int]:
        """Index of the first token of each line (0 first)."""
        if self._line_starts is None:
            self._line_starts = [0] + [i for i in self.where(self.nl_before) if i > 0]
        return self._line_starts

    def sentence_break_in(self, start: int, end: int) -> bool:
        """Whether a token of toks[start:end] ends a sentence or starts a line."""
        if self._breaks is None:
            self._breaks = self.where(map(or_, self.nl_before, map(SENTENCE_END.__contains__, self.texts)))
        k = bisect_left(self._breaks, start)
        return k < len(self._breaks) and self._breaks[k] < end

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return list(map(self.__getitem__, range(*i.indices(len(self.texts)))))
        tok = self._toks[i]  # raises IndexError past the end, as a list does
        if tok is None:
            tok = self._toks[i] = Tok(self.texts[i], self.starts[i], self.ends[i],
                                      self.space_before[i], self.nl_before[i])
        return tok

    def __iter__(self):
        return (self[i] for i in range(len(self.texts)))


@dataclass(frozen=True)
class Hit:
    """A phrase match over toks[start:end]; `key` indexes the matched list."""
    start: int
    end: int
    key: int


TOKEN_RE = re.compile(r"(?:[A-Z]\.){2,}|(?:St|Ft|Mt|Sgt|Lt|Capt|Gov|Sen|Rep|Dr|Mr|Mrs|Ms|Jr|Sr)\.|[’']s\b|\w+(?:\.\w+)+|\w+|[^\w\s]")


def simple_tokens(text: str) -> list[Tok]:
    """Tokens close to spaCy's English tokenizer for names ("U.S.", "Sheriff", "’s")."""
    toks = []
    prev_end = 0
    for m in TOKEN_RE.finditer(text):
        gap = text[prev_end:m.start()]
        toks.append(Tok(m.group(), m.start(), m.end(), space_before=bool(gap) or not toks,
                        nl_before=("\n" in gap or "\r" in gap)))
        prev_end = m.end()
    return toks


@lru_cache(maxsize=8192)
def norm_name(name: str) -> str:
    """The scorer's normal form: lower case, no leading "the", "&" as "and", no punctuation."""
    s = (name or "").lower().replace("&", " and ").translate(APOSTROPHES)
    s = LEADING_THE.sub("", s.strip())
    s = PUNCTUATION.sub("", s)
    return SPACES.sub(" ", s).strip()


def clean_name(name: str) -> str:
    """A name as written, with straight apostrophes and single spaces."""
    return re.sub(r"\s+", " ", name.translate(APOSTROPHES)).strip()


def has_letter(word: str) -> bool:
    return word.isalpha() or any(c.isalpha() for c in word)


def case_of(words: Sequence[str], connectors: set[str]) -> Optional[str]:
    """"title", "upper" or "lower" for a head as written (connectors ignored), else None."""
    letters = [w for w in words if has_letter(w) and w.lower() not in connectors
               and not w.lower().endswith("'s") and not w.lower().endswith("’s")]
    if not letters:
        return None
    if all(w.isupper() for w in letters):
        return "upper"
    if all(w[0].isupper() for w in letters):
        return "title"
    if all(w.islower() for w in letters):
        return "lower"
    return None


def join_tokens(toks: Sequence[Tok]) -> str:
    out = []
    for n, t in enumerate(toks):
        if n and t.space_before:
            out.append(" ")
        out.append(t.text)
    return clean_name("".join(out))


@dataclass
class Candidate:
    start: int  # token indices
    end: int
    name: str
    surface: str
    kind: AgencyKind
    rule: str
    confidence: float
    unit: bool = False
    span: Optional[tuple[int, int]] = None  # character span when not toks[start:end]
    aliases: list[str] = field(default_factory=list)


@dataclass
class Agency:
    name: str
    kind: AgencyKind
    aliases: list[str] = field(default_factory=list)
    mentions: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, rule)
    confidence: float = 0.0
    alias_keys: set[str] = field(default_factory=set, repr=False, compare=False)

    @property
    def first(self) -> int:
        return min(m[0] for m in self.mentions) if self.mentions else 0

    def add_alias(self, alias: str) -> None:
        key = norm_name(alias)
        if key and key not in self.alias_keys:
            self.alias_keys.add(key)
            self.aliases.append(alias)


# Longest mention looked back over when asking which mention covers an offset.
MAX_MENTION_CHARS = 200


class Register:
    """The agencies of a page, indexed by normal name and by mention start."""

    def __init__(self) -> None:
        self.agencies: list[Agency] = []
        self.by_key: dict[str, Agency] = {}
        self.starts: dict[int, list[tuple[int, Agency]]] = {}
        self.sorted_starts: list[int] = []  # the keys of `starts`, in order

    def __iter__(self):
        return iter(self.agencies)

    def get(self, name: str) -> Optional[Agency]:
        return self.by_key.get(norm_name(name))

    def add(self, name: str, kind: AgencyKind) -> Agency:
        key = norm_name(name)
        agency = self.by_key.get(key)
        if agency is None:
            agency = Agency(name, kind)
            self.by_key[key] = agency
            self.agencies.append(agency)
        return agency

    def mention(self, agency: Agency, start: int, end: int, rule: str) -> None:
        agency.mentions.append((start, end, rule))
        if start not in self.starts:
            insort(self.sorted_starts, start)
        self.starts.setdefault(start, []).append((end, agency))

    def starts_down(self, high: int, low: int) -> Iterator[int]:
        """The mention starts s with low < s <= high, from the highest down."""
        keys = self.sorted_starts
        j = bisect_right(keys, high) - 1
        while j >= 0 and keys[j] > low:
            yield keys[j]
            j -= 1

    def covering(self, start: int, end: int, exclude: Optional[Agency] = None) -> Optional[Agency]:
        """An agency with a mention holding [start, end) (other than `exclude`)."""
        for s in self.starts_down(start, start - MAX_MENTION_CHARS):
            for e, agency in self.starts[s]:
                if e >= end and agency is not exclude:
                    return agency
        return None

    def overlapping(self, start: int, end: int) -> bool:
        for s in self.starts_down(end - 1, start - MAX_MENTION_CHARS):
            for e, _ in self.starts[s]:
                if e > start:
                    return True
        return False

    @property
    def first(self) -> int:
        return min(m[0] for m in self.mentions) if self.mentions else 0


class AgencyFinder:
    """The agency reader for one rule model; `find` is called once per page."""

    def __init__(self, heads: HeadLexicon, gazetteer: Gazetteer, media: MediaLexicon,
                 lexicon: AgencyLexicon):
        self.heads = heads.heads
        self.head_rules = {h.phrase: "head_" + re.sub(r"\W+", "_", h.phrase).strip("_") for h in self.heads}
        self.plurals = heads.plurals
        self.gazetteer = gazetteer.entries
        self.lex = lexicon
        self.media = media
        self.inner = set(lexicon.inner_connectors)
        self.left_conn = set(lexicon.left_connectors)
        self.of_nouns = set(lexicon.of_nouns)
        self.breakers = set(lexicon.name_breakers)
        self.sentence_stops = set(lexicon.sentence_stop_words) | self.breakers
        self.not_names = set(lexicon.not_names)
        self.generic = set(lexicon.generic_words)
        self.titles = set(lexicon.person_titles)
        self.blockers = {k.lower(): set(v) for k, v in lexicon.head_blockers.items()}
        self.states = {norm_name(s) for s in lexicon.states}
        self.state_codes = set(lexicon.state_codes)
        self.federal = {norm_name(s) for s in lexicon.federal_prefixes}
        self.local_words = set(lexicon.local_words)
        self.possessives = set(lexicon.possessives)
        self.pointers = set(lexicon.unit_pointers)
        self.not_agencies = {norm_name(s) for s in lexicon.not_agencies}
        self.not_agency_words = {w.lower() for w in lexicon.not_agency_words}
        self.acronym_stop = set(lexicon.acronym_stoplist)
        self.cues = [c.lower().split() for c in lexicon.ngo_cues]
        self.cues_by_first: dict[str, list[list[str]]] = {}  # in lexicon order
        for cue in self.cues:
            self.cues_by_first.setdefault(cue[0], []).append(cue)
        self.fillers = set(lexicon.cue_fillers)
        self.appositive_nouns = set(lexicon.appositive_nouns)
        self.outlets = {norm_name(o) for o in media.outlets}
        self.media_words = sorted({norm_name(w) for w in media.words}, key=len, reverse=True)
        self.call_sign = re.compile(media.call_sign)
        self.web_suffixes = tuple(s.lower() for s in media.website_suffixes)
        self.gaz_by_norm: dict[str, GazetteerEntry] = {}
        for entry in self.gazetteer:
            for form in [entry.name, *entry.variants]:
                self.gaz_by_norm[norm_name(form)] = entry
        self.gaz_acronyms = {a for e in self.gazetteer for a in e.acronyms}
        self.places: set[str] = set()

    # Phrases the component hands to its PhraseMatchers.
    def head_phrases(self) -> list[str]:
        return [h.phrase for h in self.heads]

    def plural_phrases(self) -> list[str]:
        return [p.phrase for p in self.plurals]

    def gazetteer_phrases(self) -> list[tuple[int, str, bool]]:
        """(entry index, phrase, exact-case) for every gazetteer form."""
        out = []
        for n, e in enumerate(self.gazetteer):
            for form in [e.name, *e.variants]:
                out.append((n, form, False))
            for a in e.acronyms:
                out.append((n, a, True))
        return out

    # ----- token predicates -------------------------------------------------
    def sentence_initial(self, toks: Sequence[Tok], i: int) -> bool:
        return i == 0 or toks[i].nl_before or toks[i - 1].text in OPENERS

    def is_website(self, word: str) -> bool:
        w = word.lower()
        return "." in w and any(w.endswith(s) or (s + "/") in w for s in self.web_suffixes)

    def name_word(self, toks: Sequence[Tok], i: int) -> bool:
        """A token that may be part of a proper name at this position."""
        t = toks[i]
        text = t.text
        if ORDINAL.match(text):
            return True
        if not text[:1].isupper():
            return False
        low = t.lower
        if text in self.not_names or text in self.titles or low in self.breakers:
            return False
        if self.is_website(text):
            return False
        if low in self.sentence_stops and (self.sentence_initial(toks, i) or low not in TITLE_CASE_CONNECTORS):
            return False  # "Then", and "In" of a title-case headline ("Men Arrested In Tacoma")
        return True

    def hyphen_joins(self, toks: Sequence[Tok], i: int) -> bool:
        """toks[i] is a hyphen written without spaces between two words."""
        return (toks[i].text in "-‐" and 0 < i < len(toks) - 1 and not toks[i].space_before
                and not toks[i + 1].space_before and toks[i - 1].text[:1].isalnum())

    # ----- walking over names ----------------------------------------------
    def walk_left(self, toks: Sequence[Tok], i: int, connectors: bool,
                  ends: set[int] = frozenset(), stops: set[int] = frozenset()) -> int:
        """Index of the first token of the name run that ends just before toks[i]."""
        k = i
        while k > 0 and not toks[k].nl_before:
            j = k - 1
            if j in stops:
                break
            if self.name_word(toks, j):
                k = j
                continue
            if self.hyphen_joins(toks, j) and j > 0 and self.name_word(toks, j - 1):
                k = j
                continue
            if toks[j].text in self.possessives and j > 0 and not toks[j].space_before \
                    and self.name_word(toks, j - 1) and (j - 1) not in ends and k < i:
                # "Prince George's County", "Children's Advocacy Center"; not "Department's Unit".
                k = j
                continue
            if connectors and j > 0 and not toks[j].nl_before and toks[k].text[:1].isupper():
                low = toks[j].lower
                if low in self.left_conn and self.name_word(toks, j - 1) and (j - 1) not in ends \
                        and not toks[j - 1].text.isupper():
                    k = j
                    continue
                if low == "of" and toks[j - 1].text in self.of_nouns:
                    k = j
                    continue
            break
        return k

    def extend_right(self, toks: Sequence[Tok], m: int, head_starts: set[int]) -> int:
        """End of the name run starting at toks[m] (m itself when there is none)."""
        n = len(toks)
        e = m
        while e < n and not toks[e].nl_before:
            t = toks[e]
            if t.text[:1].isupper() and t.text not in self.titles and not self.is_website(t.text) \
                    and t.text not in self.not_names and t.lower not in self.breakers \
                    or (e > m and ORDINAL.match(t.text)):
                e += 1
                continue
            if e > m and self.hyphen_joins(toks, e) and e + 1 < n and toks[e + 1].text[:1].isupper():
                e += 1
                continue
            if e > m and t.lower in self.inner:
                nxt = e + 1
                if nxt < n and toks[nxt].lower == "the":
                    nxt += 1
                if nxt < n and not toks[nxt].nl_before and toks[nxt].text[:1].isupper():
                    if t.lower in ("and", "&"):
                        # "Department of Justice and Phoenix Police Department": a new agency.
                        stop = self.extend_right(toks, nxt, set())
                        if any(nxt <= h < stop for h in head_starts) or toks[nxt].text.isupper():
                            break
                    e = nxt
                    continue
            break
        return e

    def name_run_forward(self, toks: Sequence[Tok], m: int, inner: set[str]) -> int:
        """End of a list element starting at toks[m]: capitalized words, `inner` connectors."""
        n = len(toks)
        e = m
        while e < n and not toks[e].nl_before:
            if self.name_word(toks, e) or (e == m and toks[e].text.isupper() and toks[e].text[:1].isalpha()):
                e += 1
                continue
            if e > m and self.hyphen_joins(toks, e):
                e += 1
                continue
            if e > m and toks[e].lower in inner and e + 1 < n and toks[e + 1].text[:1].isupper() \
                    and not toks[e + 1].nl_before:
                e += 1
                continue
            break
        return e

    # ----- the page ---------------------------------------------------------
    def find(self, text: str, toks: Sequence[Tok], head_hits: Sequence[Hit],
             plural_hits: Sequence[Hit], gazetteer_hits: Sequence[Hit],
             abbreviations: Sequence[Abbreviation] = (),
             partner_items: Sequence[tuple[int, int]] = (),
             outlet_regions: Sequence[tuple[int, int]] = (),
             outlet_names: Sequence[str] = (),
             headings: Sequence[tuple[int, int]] = (),
             places: Sequence[str] = ()) -> list[Agency]:
        """The agencies of one page. `places`: the page's own city or county (a generic
        "<place> Health Bureau" there is local government)."""
        toks = Tokens.of(toks)
        self.places = {norm_name(p) for p in places if p} - self.states
        outlet_norms = self.outlets | {norm_name(o) for o in outlet_names if o}
        covered: set[int] = set()
        cands: list[Candidate] = []

        # 1. Coordinated heads.
        plural_taken: set[int] = set()
        for hit in sorted(plural_hits, key=lambda h: (h.start, -(h.end - h.start))):
            if any(i in plural_taken for i in range(hit.start, hit.end)):
                continue
            made = self.coordinated(toks, hit)
            if made:
                plural_taken.update(range(hit.start, hit.end))
                for c in made:
                    covered.update(range(c.start, c.end))
                cands.extend(made)

        # 2. Heads with their names.
        heads = self.select_heads(toks, head_hits, plural_taken)
        head_at = {h.start: h for h in heads}
        head_starts = {h.start for h in heads}
        head_ends = {h.end - 1 for h in heads if self.heads[h.key].role == "agency"}
        gaz_ends = {h.end - 1 for h in gazetteer_hits}
        raw: list[Candidate] = []
        for hit in heads:
            c = self.head_candidate(toks, hit, head_at, head_starts, head_ends | gaz_ends, covered)
            if c is not None:
                raw.append(c)

        # 3. Gazetteer names; a short form the page defines for itself wins over the gazetteer.
        defined = {a.short for a in abbreviations}
        for hit in gazetteer_hits:
            entry = self.gazetteer[hit.key]
            surface = join_tokens(toks[hit.start:hit.end])
            if surface in defined and surface in entry.acronyms:
                continue
            end = hit.end
            name = entry.name
            if entry.kind == "ngo" and end + 1 < len(toks) and toks[end].lower == "of" \
                    and not toks[end].nl_before:
                # "YWCA of Spokane", "Catholic Charities of Boston": a local branch.
                stop = self.name_run_forward(toks, end + 1, set())
                if stop > end + 1:
                    name = f"{entry.name} of {join_tokens(toks[end + 1:stop])}"
                    end = stop
            raw.append(Candidate(hit.start, end, name, join_tokens(toks[hit.start:end]), entry.kind,
                                 "gazetteer", 0.95))

        # Longest first; a candidate inside a longer one is part of its name.
        raw.sort(key=lambda c: (-(c.end - c.start), c.rule != "gazetteer", c.start))
        for c in raw:
            if any(i in covered for i in range(c.start, c.end)):
                continue
            covered.update(range(c.start, c.end))
            cands.append(c)
        cands.sort(key=lambda c: c.start)

        # In a title-case headline the run before a head may hold verbs ("FBI Joins Tacoma
        # Police Department"): keep the part the page names elsewhere.
        cands = self.trim_headline_names(toks, cands, head_at)

        # 4. Named units of a parent agency.
        cands = self.compose_units(toks, cands)

        # Outlets and what is not an agency.
        cands = [c for c in cands if not self.is_excluded(text, toks, c, outlet_regions, outlet_norms, headings)]

        register = Register()
        for c in cands:
            self.add_candidate(register, c, text, toks)

        # 5. Abbreviations defined in the page.
        self.add_abbreviations(text, toks, cands, register, abbreviations)

        # 6. Partner items, cue lists, lists with a known agency, repeated acronym names.
        extra = self.partner_agencies(text, partner_items, register, outlet_norms)
        head_tokens = {i for h in head_hits for i in range(h.start, h.end)}
        extra += self.listed_agencies(text, toks, cands, covered | head_tokens, outlet_norms)
        extra += self.repeated_acronym_names(text, toks, covered, register, outlet_norms,
                                             {a.short for a in abbreviations})
        for c in extra:
            self.add_candidate(register, c, text, toks)
        for name in dict.fromkeys(c.name for c in extra):
            self.find_repeats(text, register, name)

        # 7. One entry per agency.
        merged = self.merge([a for a in register if a.mentions])
        for a in merged:
            a.mentions = sorted({(m[0], m[1]): m for m in a.mentions}.values())
            name_key = norm_name(a.name)
            keep: dict[str, str] = {}
            for alias in a.aliases:
                keep.setdefault(norm_name(alias), alias)
            keep.pop(name_key, None)
            keep.pop("", None)
            a.aliases = list(keep.values())
        merged.sort(key=lambda a: a.first)
        return merged

    # ----- steps ------------------------------------------------------------
    def select_heads(self, toks: Sequence[Tok], hits: Sequence[Hit], taken: set[int]) -> list[Hit]:
        """Head matches written in an allowed case, longest first, not overlapping."""
        toks = Tokens.of(toks)
        chosen: list[Hit] = []
        used = set(taken)
        for hit in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
            if any(i in used for i in range(hit.start, hit.end)):
                continue
            if case_of(toks.texts[hit.start:hit.end], self.inner) not in self.heads[hit.key].cases:
                continue
            used.update(range(hit.start, hit.end))
            chosen.append(hit)
        return sorted(chosen, key=lambda h: h.start)

    def coordinated(self, toks: Sequence[Tok], hit: Hit) -> list[Candidate]:
        """One candidate per place of "the A, B and C police departments" or
        "the police departments of A and B"."""
        toks = Tokens.of(toks)
        plural = self.plurals[hit.key]
        if case_of(toks.texts[hit.start:hit.end], self.inner) not in ("lower", "title"):
            return []
        elements: list[tuple[int, int]] = []
        joined = False
        k = hit.start
        while k > 0 and not toks[k].nl_before:
            s = k
            while s > 0 and not toks[s].nl_before and (self.name_word(toks, s - 1) or self.hyphen_joins(toks, s - 1)):
                s -= 1
            while s < k and not self.name_word(toks, s):
                s += 1
            if s == k:
                break
            elements.insert(0, (s, k))
            if s == 0 or toks[s].nl_before:
                break
            p = s - 1
            sep = toks[p].lower
            if sep in ("and", "&", "or"):
                joined = True
                if p > 0 and toks[p - 1].text == ",":
                    p -= 1
            elif sep != ",":
                break
            k = p
        rule = "coordinated_heads"
        if len(elements) < 2 or not joined:
            elements, joined = [], False
            e = hit.end
            if e < len(toks) and toks[e].lower in ("of", "in", "from") and not toks[e + 1 if e + 1 < len(toks) else e].nl_before:
                m = e + 1
                while m < len(toks):
                    if m < len(toks) and toks[m].lower == "the":
                        m += 1
                    end = self.name_run_forward(toks, m, set())
                    if end == m:
                        break
                    elements.append((m, end))
                    if end < len(toks) and toks[end].lower in ("and", "&", "or"):
                        joined = True
                        m = end + 1
                    elif end + 1 < len(toks) and toks[end].text == "," and toks[end + 1].lower in ("and", "&"):
                        joined = True
                        m = end + 2
                    elif end < len(toks) and toks[end].text == ",":
                        m = end + 1
                    else:
                        break
                rule = "coordinated_heads_of"
        elements = [(s, e) for s, e in elements
                    if not all(t.text in self.generic for t in toks[s:e])]
        if not elements or (plural.needs_list and (len(elements) < 2 or not joined)):
            return []
        if rule == "coordinated_heads" and len(elements) < 2:
            return []
        out = []
        for s, e in elements:
            place = join_tokens(toks[s:e])
            name = f"{place} {plural.canonical}"
            out.append(Candidate(s, e, name, name, plural.kind, rule, 0.85))
        return out

    def head_candidate(self, toks: Sequence[Tok], hit: Hit, heads: Sequence[Hit], head_starts: set[int],
                       ends: set[int], covered: set[int]) -> Optional[Candidate]:
        head = self.heads[hit.key]
        n = len(toks)
        s, e = hit.start, hit.end
        if e < n and toks[e].lower in head.not_followed_by:
            return None
        if head.right and e < n and toks[e].lower in head.right and not toks[e].nl_before:
            m = e + 1
            if m < n and toks[m].lower == "the":
                m += 1
            end = self.extend_right(toks, m, head_starts)
            if end > m:
                e = end
        has_right = e > hit.end
        if head.number and e < n and toks[e].text.isdigit() and not toks[e].nl_before:
            e += 1
        k = self.walk_left(toks, s, connectors=not head.needs_name, ends=ends, stops=covered)
        if k == s and s > 1 and head.kind in PLACE_POSSESSIVE_KINDS and not head.needs_name \
                and toks[s - 1].text in self.possessives and not toks[s - 1].space_before \
                and self.name_word(toks, s - 2) and (s - 2) not in ends:
            # "Tacoma's police department" is the Tacoma Police Department.
            k = self.walk_left(toks, s - 1, connectors=False, ends=ends, stops=covered)
        left = toks[k:s]
        named = any(t.text not in self.generic for t in left)
        if head.needs_name and (not named or any(t.text in self.generic for t in left[:1])
                                or norm_name(join_tokens(left)) in self.states):
            return None  # "Local police", "Texas police": no one department
        if not named and not has_right and not head.bare:
            return None
        if head.kind is None and head.role == "agency" and not has_right and len(left) == 1 \
                and not left[0].text.isupper() and norm_name(left[0].text) not in self.places \
                and norm_name(left[0].text) not in self.states:
            return None  # "the Health Department": a kind of office, not a name
        if not named:
            k = s
        if k < s and self.blocked(head, toks[s - 1].text):
            return None
        if any(i in covered for i in range(k, e)):
            return None
        if self.is_label(toks, k, e):
            return None
        name, kind, unit = self.name_tokens(toks, k, e, heads)
        surface = join_tokens(toks[k:e])
        if norm_name(name) in self.not_agencies or toks[e - 1].lower in self.not_agency_words:
            return None
        entry = self.gaz_by_norm.get(norm_name(name)) or self.gaz_by_norm.get(norm_name(surface))
        if entry is not None:
            return Candidate(k, e, entry.name, surface, entry.kind, "gazetteer_head", 0.95)
        conf = 0.8 if head.needs_name else 0.9
        return Candidate(k, e, name, surface, kind, self.head_rules[head.phrase],
                         conf, unit=unit)

    def on_title_case_lines(self, toks: Sequence[Tok], indices: Iterable[int]) -> set[int]:
        """Those of the token `indices` that stand on a line written in title case (a
        headline). Only the lines holding them are read."""
        toks = Tokens.of(toks)
        line_starts = toks.line_starts
        verdicts: dict[int, bool] = {}
        out: set[int] = set()
        for i in indices:
            line = bisect_right(line_starts, i) - 1
            if line not in verdicts:
                end = line_starts[line + 1] if line + 1 < len(line_starts) else len(toks)
                words = [w for w in toks.texts[line_starts[line]:end] if len(w) > 3 and w.isalpha()]
                capitalized = [w for w in words if w[0].isupper()]
                verdicts[line] = len(words) >= 3 and len(capitalized) >= 0.75 * len(words)
            if verdicts[line]:
                out.add(i)
        return out

    def trim_headline_names(self, toks: Sequence[Tok], cands: list[Candidate],
                            heads: Sequence[Hit]) -> list[Candidate]:
        headline = self.on_title_case_lines(toks, [c.start for c in cands])
        if not headline:
            return cands
        known = {norm_name(c.name) for c in cands if c.start not in headline}
        for c in cands:
            if c.start not in headline or norm_name(c.name) in known or c.rule.startswith("gazetteer") \
                    or c.span is not None:
                continue
            for j in range(c.start + 1, c.end):
                name, kind, unit = self.name_tokens(toks, j, c.end, heads)
                if norm_name(name) in known:
                    c.start, c.name, c.kind, c.unit = j, name, kind, unit
                    c.surface = join_tokens(toks[j:c.end])
                    break
        return cands

    def is_label(self, toks: Sequence[Tok], k: int, e: int) -> bool:
        """A list label, not a name: "2. Specialized Unit: officers are ..." (only a number or
        bullet before it on its line, a colon after it)."""
        if e >= len(toks) or toks[e].text != ":" or toks[e].nl_before:
            return False
        i = k
        while i > 0 and not toks[i].nl_before:
            i -= 1
            if not (toks[i].text.isdigit() or toks[i].text in ".)•-*·▪"):
                return False
        return True

    def blocked(self, head: Head, word: str) -> bool:
        """A word that makes the head a place or a business: "Post Office", "Convention Center"."""
        if word in self.blockers.get(head.phrase.lower(), ()):
            return True
        return (head.kind is None or head.kind == "ngo" or head.role == "unit") and word in self.blockers.get("*", ())

    def name_tokens(self, toks: Sequence[Tok], k: int, e: int,
                    heads: Union[Sequence[Hit], dict[int, Hit]]) -> tuple[str, AgencyKind, bool]:
        """The canonical name of toks[k:e] (heads in their canonical form), its kind, and
        whether it names a unit."""
        head_at = heads if isinstance(heads, dict) else {h.start: h for h in heads}
        inside = {i: head_at[i] for i in range(k, e) if i in head_at and head_at[i].end <= e}
        shouting = all(t.text.isupper() for t in toks[k:e] if has_letter(t.text))
        parts: list[str] = []
        kind: Optional[str] = None
        last_role = "agency"
        i = k
        while i < e:
            h = inside.get(i)
            if h is not None:
                head = self.heads[h.key]
                parts.append((" " if parts and toks[i].space_before else "") + head.canonical)
                if head.role == "agency" and head.kind and kind is None:
                    kind = head.kind
                last_role = head.role
                i = h.end
                continue
            t = toks[i]
            word = t.text
            nxt = inside.get(i + 1)
            if word in self.possessives and nxt is not None and self.heads[nxt.key].kind in PLACE_POSSESSIVE_KINDS:
                i += 1
                continue
            if shouting and len(word) > 4 and word.isalpha():
                word = word.capitalize()  # "TACOMA POLICE" is "Tacoma Police Department"
            parts.append((" " if parts and t.space_before else "") + word)
            i += 1
        name = clean_name("".join(parts))
        if kind is None:
            kind = self.infer_kind(name, [self.heads[h.key] for h in inside.values()])
        return name, kind, last_role == "unit"

    def infer_kind(self, name: str, heads: Sequence[Head]) -> AgencyKind:
        for head in heads:
            if head.kind:
                return head.kind
        words = name.split()
        key = norm_name(name)
        if "University" in words or "College" in words:
            return "other"
        if any(key == f or key.startswith(f + " ") for f in self.federal):
            return "federal"
        if any(w in self.local_words for w in words) or any(key.startswith(p + " ") for p in self.places):
            return "local_government"
        if any(key.startswith(s + " ") for s in self.states):
            return "state_agency"
        return "other"

    def compose_units(self, toks: Sequence[Tok], cands: list[Candidate]) -> list[Candidate]:
        """"<parent>'s <unit>" and "<parent>, whose <unit>" name the unit after its parent."""
        toks = Tokens.of(toks)
        by_end = {c.end: c for c in cands}
        out = []
        for n, c in enumerate(cands):
            if not c.unit or c.rule.startswith("gazetteer") or c.start == 0:
                out.append(c)
                continue
            before = toks[c.start - 1]
            parent = None
            span_start = toks[c.start].start
            if before.text in self.possessives and (c.start - 1) in by_end:
                parent = by_end[c.start - 1]
                span_start = toks[parent.start].start
            elif before.lower in self.pointers:
                for p in (cands[m] for m in range(n - 1, max(-1, n - 12), -1)):
                    if p.unit or p.end > c.start:
                        continue
                    if toks.sentence_break_in(p.end, c.start) or c.start - p.end > 40:
                        break
                    parent = p
                    break
            if parent is None or parent.unit:
                if c.kind == "other":
                    c.kind = self.neighbour_kind(toks, cands, n)
                out.append(c)
                continue
            out.append(Candidate(c.start, c.end, f"{parent.name} {c.name}", c.surface, parent.kind,
                                 "unit_of_parent", 0.85, unit=True,
                                 span=(span_start, toks[c.end - 1].end), aliases=[c.name]))
        return out

    def neighbour_kind(self, toks: Sequence[Tok], cands: Sequence[Candidate], n: int) -> AgencyKind:
        """The kind of the nearest other agency in the same sentence ("the Human Trafficking
        Division within the Attorney General's Office" is a prosecutor's division)."""
        toks = Tokens.of(toks)
        c = cands[n]
        best: Optional[tuple[int, Candidate]] = None
        for m in range(max(0, n - 8), min(len(cands), n + 9)):
            other = cands[m]
            if m == n or other.kind == "other" or other.rule.startswith("coordinated"):
                continue
            lo, hi = (other.end, c.start) if other.end <= c.start else (c.end, other.start)
            if hi < lo or toks.sentence_break_in(lo, hi + 1):
                continue
            if best is None or hi - lo < best[0]:
                best = (hi - lo, other)
        return best[1].kind if best else "other"

    def is_outlet(self, name: str, outlet_norms: set[str]) -> bool:
        key = norm_name(name)
        if not key:
            return True
        if key in outlet_norms or self.call_sign.match(name.strip()):
            return True
        return any(key == w or key.endswith(" " + w) for w in self.media_words)

    def is_excluded(self, text: str, toks: Sequence[Tok], c: Candidate,
                    outlet_regions: Sequence[tuple[int, int]], outlet_norms: set[str],
                    headings: Sequence[tuple[int, int]] = ()) -> bool:
        """An outlet, or a head phrase in a sub-heading ("Trafficking Network")."""
        start, end = c.span or (toks[c.start].start, toks[c.end - 1].end)
        if any(s <= start and end <= e for s, e in outlet_regions):
            return True
        if c.rule.startswith("gazetteer"):
            return False
        if any(s <= start and end <= e for s, e in headings):
            return True
        return norm_name(c.name) in outlet_norms or norm_name(c.surface) in outlet_norms

    def add_candidate(self, register: Register, c: Candidate, text: str, toks: Sequence[Tok]) -> Agency:
        start, end = c.span or (toks[c.start].start, toks[c.end - 1].end)
        target = register.add(c.name, c.kind)
        register.mention(target, start, end, c.rule)
        target.add_alias(c.surface)
        for alias in c.aliases:
            target.add_alias(alias)
        target.confidence = max(target.confidence, c.confidence)
        return target

    def add_abbreviations(self, text: str, toks: Sequence[Tok], cands: Sequence[Candidate],
                          register: Register, abbreviations: Sequence[Abbreviation]) -> None:
        by_end: dict[int, Candidate] = {}
        for c in cands:
            by_end.setdefault(c.span[1] if c.span else toks[c.end - 1].end, c)
        shorts: dict[tuple[str, int], tuple[Agency, list[tuple[int, int]]]] = {}

        def define(short: str, target: Agency, where: tuple[int, int]) -> None:
            shorts.setdefault((short, id(target)), (target, []))[1].append(where)

        for a in abbreviations:
            c = by_end.get(a.long_end)
            if c is None:
                continue
            start = c.span[0] if c.span else toks[c.start].start
            target = register.covering(start, a.long_end)
            if start < a.long_end and target is not None:
                define(a.short, target, (a.short_start, a.short_end))
        for c in cands:
            start, end = c.span or (toks[c.start].start, toks[c.end - 1].end)
            named = find_named_as(text, end, start)
            if named:
                target = register.covering(end - 1, end)
                if target is not None:
                    define(named[0], target, (named[1], named[2]))
        for (short, _), (target, places) in shorts.items():
            target.add_alias(short)
            for where in places:
                register.mention(target, where[0], where[1], "abbreviation_defined")
            defined_at = set(places)
            for s, e in short_form_occurrences(text, short):
                if (s, e) in defined_at:
                    continue
                if register.covering(s, e, exclude=target) is not None:
                    continue
                register.mention(target, s, e, "abbreviation")
        # Gazetteer acronyms the page defined for itself are mentions of the page's agency.
        defined = {short: target for (short, _), (target, _) in shorts.items()}
        if defined:
            for a in register:
                a.mentions = [m for m in a.mentions
                              if text[m[0]:m[1]] not in defined or defined[text[m[0]:m[1]]] is a]

    def looks_like_agency_name(self, name: str, outlet_norms: set[str], single_ok: bool) -> bool:
        words = name.split()
        if not words or len(words) > 12 or not words[0][:1].isupper():
            return False
        if self.is_outlet(name, outlet_norms) or any(self.is_website(w) for w in words):
            return False
        key = norm_name(name)
        if key in self.not_agencies or key in self.states or words[-1].lower() in self.not_agency_words:
            return False
        if any(w in self.titles for w in words) or re.search(r"\b[A-Z]\.\s+[A-Z][a-z]", name):
            return False  # a person: "Mayor Martin J. Walsh"
        if words[-1] in self.local_words or all(w in self.generic for w in words):
            return False
        if any(not w[:1].isupper() and not w[:1].isdigit() and w.lower() not in self.inner
               and w.lower() not in NAME_LOWER_WORDS for w in words):
            return False  # "Local businesses"
        if len(words) == 1 and name[0].isupper() and name[1:].islower() and name.endswith("s"):
            return False  # "Residents", "Businesses": people and places, not one organization
        if len(words) == 1 and not single_ok:
            return name.isupper() and len(name) >= 3 and name not in self.state_codes \
                and name not in self.acronym_stop
        return True

    def partner_agencies(self, text: str, items: Sequence[tuple[int, int]], register: Register,
                         outlet_norms: set[str]) -> list[Candidate]:
        out = []
        known: dict[str, Agency] = {}
        for a in register:
            for x in [a.name, *a.aliases]:
                known.setdefault(norm_name(x), a)
        for start, end in items:
            if register.overlapping(start, end):
                continue
            name = clean_name(text[start:end])
            if not self.looks_like_agency_name(name, outlet_norms, single_ok=True):
                continue
            target = known.get(norm_name(name))
            if target is not None:
                register.mention(target, start, end, "partner_item")
                continue
            entry = self.gaz_by_norm.get(norm_name(name))
            kind = entry.kind if entry else self.infer_kind(name, [])
            if kind == "other":
                kind = "ngo"
            out.append(Candidate(0, 0, entry.name if entry else name, name, kind, "partner_item", 0.8,
                                 span=(start, end)))
        return out

    def parse_list(self, toks: Sequence[Tok], m: int) -> list[tuple[int, int]]:
        """Elements of "A, B and C" starting at toks[m] (each may start with "the")."""
        elements = []
        n = len(toks)
        inner = {"for", "of", "to", "&", "against", "on", "at", "in"}
        while m < n:
            if toks[m].lower == "the" and m + 1 < n:
                m += 1
            end = self.name_run_forward(toks, m, inner)
            if end == m:
                break
            if end < n and not toks[end].nl_before and toks[end].lower in NAME_GOES_ON:
                break  # "Hope for children in need": the name may go on in lower case
            elements.append((m, end))
            if end < n and toks[end].lower in ("and", "&") and not toks[end].nl_before:
                m = end + 1
            elif end + 1 < n and toks[end].text == "," and toks[end + 1].lower in ("and", "&"):
                m = end + 2
            elif end < n and toks[end].text == "," and not toks[end].nl_before:
                m = end + 1
            else:
                break
        return elements

    def listed_agencies(self, text: str, toks: Sequence[Tok], cands: Sequence[Candidate],
                        covered: set[int], outlet_norms: set[str]) -> list[Candidate]:
        """Named organizations after a cue word, and names listed along with a known agency."""
        toks = Tokens.of(toks)
        out: list[Candidate] = []
        n = len(toks)
        plural_words = {p.phrase.split()[0] for p in self.plurals}
        starts: list[tuple[int, str, bool]] = []
        appositives: list[tuple[int, int]] = []
        lowered = toks.lowers
        for i in toks.where(map(self.cues_by_first.__contains__, lowered)):
            for cue in self.cues_by_first[lowered[i]]:
                if lowered[i:i + len(cue)] == cue:
                    m = i + len(cue)
                    skipped = 0
                    while m < n and lowered[m] in self.fillers and skipped < 3:
                        m += 1
                        skipped += 1
                    starts.append((m, "named_organization", True))
        for c in cands:
            if c.span is not None and c.rule != "unit_of_parent":
                continue
            m = c.end
            if m < n and toks[m].text == ",":
                m += 1
            if m < n and toks[m].lower in ("and", "&"):
                m += 1
            if m > c.end:
                starts.append((m, "listed_with_agency", False))
        for i in toks.where(map(",".__eq__, toks.texts)):
            # "Breaking Free, a St. Paul nonprofit": the name before ", a ... <noun>".
            if not 0 < i < n - 2 or lowered[i + 1] not in ("a", "an"):
                continue
            window = lowered[i + 2:i + 7]
            if not any(w in self.appositive_nouns for w in window):
                continue
            k = self.walk_left(toks, i, connectors=True)
            if k < i:
                appositives.append((k, i))
        made = set()
        for s, e in appositives:
            if any(j in covered for j in range(s, e)):
                continue
            name = join_tokens(toks[s:e])
            if self.looks_like_agency_name(name, outlet_norms, single_ok=True) and name not in self.state_codes:
                made.add((s, e))
                entry = self.gaz_by_norm.get(norm_name(name))
                out.append(Candidate(s, e, entry.name if entry else name, name, entry.kind if entry else "ngo",
                                     "appositive_organization", 0.7))
        for m, rule, single_ok in starts:
            for s, e in self.parse_list(toks, m):
                if any(i in covered for i in range(s, e)) or (s, e) in made:
                    continue
                if e < n and (toks[e].lower in plural_words or toks[e].text in self.possessives):
                    break
                name = join_tokens(toks[s:e])
                if not self.looks_like_agency_name(name, outlet_norms, single_ok=single_ok and e - s == 1 and name not in self.state_codes):
                    continue
                made.add((s, e))
                entry = self.gaz_by_norm.get(norm_name(name))
                kind = entry.kind if entry else ("ngo" if self.infer_kind(name, []) == "other" else self.infer_kind(name, []))
                out.append(Candidate(s, e, entry.name if entry else name, name, kind, rule,
                                     0.7 if single_ok else 0.6))
        return out

    def repeated_acronym_names(self, text: str, toks: Sequence[Tok], covered: set[int],
                               register: Register, outlet_norms: set[str],
                               defined: set[str] = frozenset()) -> list[Candidate]:
        """An organization named by a capitalized acronym word and a name the page repeats at
        least three times: "CEASE Boston works ... CEASE Boston will". A short form the page
        defines (CSEC) names something else."""
        toks = Tokens.of(toks)
        runs: dict[str, list[tuple[int, int]]] = {}
        n = len(toks)
        known = {x for a in register for x in a.aliases} | self.gaz_acronyms | set(defined)
        for i in toks.where(map(str.isupper, toks.texts)):
            w = toks.texts[i]
            if not (w.isalpha() and len(w) >= 4) or i >= n - 1 or w in self.acronym_stop \
                    or w in known or i in covered:
                continue
            nxt = toks[i + 1]
            if nxt.nl_before or not nxt.space_before or not (nxt.text[:1].isupper() and nxt.text[1:].islower()):
                continue
            e = i + 1
            while e < n and not toks[e].nl_before and toks[e].text[:1].isupper() and toks[e].text[1:].islower() \
                    and toks[e].lower not in self.breakers and e - i < 4:
                e += 1
            if any(j in covered for j in range(i, e)):
                continue
            runs.setdefault(join_tokens(toks[i:e]), []).append((i, e))
        out = []
        for name, where in runs.items():
            if len(where) < 3 or not self.looks_like_agency_name(name, outlet_norms, single_ok=False):
                continue
            s, e = where[0]
            out.append(Candidate(s, e, name, name, "ngo", "repeated_acronym_name", 0.6))
        return out

    def find_repeats(self, text: str, register: Register, name: str) -> None:
        """Other places the page writes a name found by a list rule."""
        target = register.get(name)
        if target is None:
            return
        # longest first (then alphabetical): where two forms overlap, the longer one is the mention,
        # whatever order a set would give in this process
        aliases = {name, *[x for x in target.aliases if len(x) > 3 and " " in x]}
        for alias in sorted(aliases, key=lambda a: (-len(a), a)):
            for start, end in occurrences(text, alias, WORD_CHAR, r"\w"):
                if register.overlapping(start, end):
                    continue
                register.mention(target, start, end, "repeat_of_name")

    def merge(self, agencies: list[Agency]) -> list[Agency]:
        """Merge entries that name the same agency: a name that is an alias of another, a name
        that is another with a state or "U.S." in front, and a unit's bare name into
        "<parent> <unit>". (Equal normal forms are one entry already.)"""
        keys = {id(a): norm_name(a.name) for a in agencies}
        by_alias: dict[str, Agency] = {}
        by_suffix: dict[str, Agency] = {}
        for a in agencies:
            for alias in a.alias_keys:
                if alias != keys[id(a)]:
                    by_alias.setdefault(alias, a)
            words = keys[id(a)].split()
            is_parent_unit = any(m[2] == "unit_of_parent" for m in a.mentions)
            for n in range(1, len(words)):
                prefix, suffix = " ".join(words[:n]), " ".join(words[n:])
                if prefix in self.states or prefix in self.federal or is_parent_unit:
                    by_suffix.setdefault(suffix, a)
        into: dict[int, Agency] = {}

        def final(a: Agency) -> Agency:
            while id(a) in into:
                a = into[id(a)]
            return a

        for b in sorted(agencies, key=lambda x: len(keys[id(x)])):
            kb = keys[id(b)]
            target = by_alias.get(kb) or by_suffix.get(kb)
            if target is None:
                continue
            target = final(target)
            if target is b:
                continue
            self.absorb(target, b)
            into[id(b)] = target
        return [a for a in agencies if id(a) not in into]

    @staticmethod
    def absorb(target: Agency, other: Agency) -> None:
        target.mentions.extend(other.mentions)
        for alias in [other.name, *other.aliases]:
            target.add_alias(alias)
        target.confidence = max(target.confidence, other.confidence)


def phrase_hits(toks: Sequence[Tok], phrases: Sequence[tuple[int, str]], exact: bool = False) -> list[Hit]:
    """Where each (key, phrase) occurs in `toks` (case-insensitive unless `exact`), as a
    spaCy PhraseMatcher would report it; the component uses PhraseMatcher itself."""
    table: dict[tuple[str, ...], list[int]] = {}
    longest = 0
    for key, phrase in phrases:
        for form in {phrase, phrase.replace("'", "’")}:
            words = tuple(t.text if exact else t.lower for t in simple_tokens(form))
            table.setdefault(words, []).append(key)
            longest = max(longest, len(words))
    words = [t.text if exact else t.lower for t in toks]
    hits = []
    for i in range(len(toks)):
        for n in range(1, min(longest, len(toks) - i) + 1):
            for key in table.get(tuple(words[i:i + n]), ()):
                hits.append(Hit(i, i + n, key))
    return hits


def find_in_text(finder: AgencyFinder, text: str, partner_items: Sequence[tuple[int, int]] = (),
                 outlet_regions: Sequence[tuple[int, int]] = ()) -> list[Agency]:
    """The agencies of a text with `simple_tokens` and `phrase_hits` (no spaCy)."""
    from pipeline.abbreviations import find_abbreviations

    toks = simple_tokens(text)
    heads = phrase_hits(toks, list(enumerate(finder.head_phrases())))
    plurals = phrase_hits(toks, list(enumerate(finder.plural_phrases())))
    names = phrase_hits(toks, [(k, p) for k, p, exact in finder.gazetteer_phrases() if not exact])
    names += phrase_hits(toks, [(k, p) for k, p, exact in finder.gazetteer_phrases() if exact], exact=True)
    return finder.find(text, toks, heads, plurals, names, abbreviations=find_abbreviations(text),
                       partner_items=partner_items, outlet_regions=outlet_regions)

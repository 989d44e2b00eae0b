"""Tactics: label mapping, not-in-use detection, merging (pure) and the component (glue)."""
from __future__ import annotations

import pytest

from pipeline.rules import MODELS_DIR, load_lexicon
from pipeline.tactic_labels import (LabelsLexicon, LabelVocab, ModalityLexicon, canonical_label, has_context,
                                    merge_tactics, normalize_label, not_in_use, paragraph_bounds)

VOCAB = LabelVocab(load_lexicon(MODELS_DIR / "tactics" / "labels.json", LabelsLexicon))
MODALITY = load_lexicon(MODELS_DIR / "tactics" / "modality.json", ModalityLexicon)


# ---------------------------------------------------------------- label mapping

@pytest.mark.parametrize("written,label", [
    ("Auto Seizure", "Auto Seizure"),
    ("auto seizure", "Auto Seizure"),
    ("AUTO  SEIZURE", "Auto Seizure"),
    ("Auto seizures", "Auto Seizure"),
    ("Vehicle seizure", "Auto Seizure"),
    ("IT-based tactics", "IT Based Tactics"),
    ("IT Based", "IT Based Tactics"),
    ("Web-based reverse stings", "Web Stings"),
    ("Web stings", "Web Stings"),
    ("Dear John Letters", "Letters"),
    ("SOAP orders", "SOAP Orders"),
    ("Stay Out of Areas of Prostitution", "SOAP Orders"),
    ("John schools", "John School"),
    ("Reverse sting", "Reverse Stings"),
    ("License suspension", "License Suspension"),
    ("Neighbourhood action", "Neighborhood Action"),
    ("Reverse stings (street-level)", "Reverse Stings"),
    ("Vehicle seizure program", "Auto Seizure"),
    ("Driver’s license suspension", "License Suspension"),
])
def test_canonical_label_maps_variants(written, label):
    assert canonical_label(written, VOCAB) == (label, True)


def test_canonical_label_keeps_unknown_as_written():
    assert canonical_label("Shaming", VOCAB) == ("Shaming", False)
    assert canonical_label("  Billboard   campaigns ", VOCAB) == ("Billboard campaigns", False)
    assert canonical_label("Public shaming", VOCAB) == ("Public shaming", False)
    assert canonical_label("Letters of support", VOCAB) == ("Letters of support", False)


def test_normalize_label_folds_case_hyphens_apostrophes():
    assert normalize_label("Driver’s-License\u00a0Suspension!") == "drivers license suspension"


def test_vocabulary_has_the_fifteen_canonical_labels():
    assert len(VOCAB.labels) == 15


# ---------------------------------------------------------------- not in use

def _cue(sentence: str, evidence: str):
    start = sentence.index(evidence)
    return not_in_use(sentence, start, start + len(evidence), MODALITY)


def test_not_in_use_proposed_program():
    assert _cue("The city showed interest in a john school in 2003.", "john school")


def test_not_in_use_not_instituted():
    assert _cue("To our knowledge, a john school program has not been instituted in the city.", "john school")


def test_not_in_use_immediate_negation():
    assert _cue("Detectives did not arrest the men they found inside.", "arrest the men")
    assert _cue("No john school has been set up.", "john school")


def test_not_in_use_no_evidence():
    assert _cue("We found no evidence that police have run reverse stings here.", "reverse stings")


def test_not_in_use_council_considering():
    assert _cue("The council is considering vehicle seizure for convicted buyers.", "vehicle seizure")


def test_in_use_available_sanction():
    assert _cue("Police can also seize the vehicles of men caught soliciting.", "seize the vehicles") is None
    assert _cue("A conviction could cost them their driver's licenses.", "cost them their driver's licenses") is None


def test_in_use_plain_report():
    assert _cue("Officers have conducted reverse stings twice a year since 1992.", "reverse stings") is None


def test_has_context_and_paragraphs():
    text = "He was arrested in a sting.\nHe was later fired.\n\nAn unrelated paragraph."
    lo, hi = paragraph_bounds(text, text.index("fired"), text.index("fired") + 5)
    assert text[lo:hi] == "He was arrested in a sting.\nHe was later fired."
    assert has_context(text[lo:hi], ["arrested"])
    assert not has_context("Many people lost their jobs in the pandemic.", ["arrested", "sting"])


# ---------------------------------------------------------------- merging

def test_merge_tactics_listed_and_evidenced_is_one_entry():
    items = merge_tactics([("Reverse Stings", True, (10, 24, "tactic_list"))],
                          [("Reverse Stings", (100, 114, "reverse_sting_phrase")),
                           ("Web Stings", (200, 210, "fake_ad"))])
    assert [(i.label, i.listed) for i in items] == [("Reverse Stings", True), ("Web Stings", False)]
    assert items[0].span == (10, 24, "tactic_list") and items[0].evidence == [(100, 114, "reverse_sting_phrase")]
    assert items[1].span == (200, 210, "fake_ad")


def test_merge_tactics_duplicate_listed_label_once():
    items = merge_tactics([("Letters", True, (0, 7, "l")), ("Letters", True, (8, 25, "l"))], [])
    assert len(items) == 1 and items[0].span == (0, 7, "l")


# ---------------------------------------------------------------- component

PAGE = """Springfield, IL

Tactics Used

Reverse stings
Shaming
Dear John Letters

Springfield is a city of about 60,000 residents. Police there have conducted reverse stings since 1999, arresting dozens of men who offered undercover officers money for sex. The names of the arrested buyers were published in the local paper. Officers also placed a fake ad on a website to catch buyers.

The city considered a john school in 2010, but it was never launched.

Key Sources

Auto Seizure:

  • “Police to Seize Cars of Johns,” Springfield Journal, May 2 2001.

State Illinois
Type City
Population 59871
Comments are closed.
"""


def _tactics(record):
    return {t["label"]: t for t in record["tactics"]}


def test_tactics_component_listed_evidenced_and_unknown(extract_text):
    record = extract_text(PAGE)
    tactics = _tactics(record)
    assert tactics["Reverse Stings"]["listed"] and tactics["Reverse Stings"]["evidence"]
    assert tactics["Shaming"]["listed"] and not tactics["Shaming"]["known"]
    assert tactics["Letters"]["listed"] and not tactics["Letters"]["evidence"]
    assert not tactics["Buyer Arrests"]["listed"] and tactics["Buyer Arrests"]["evidence"]
    assert tactics["Identity Disclosure"]["evidence"] and tactics["Web Stings"]["evidence"]
    assert any(f["code"] == "unknown_tactic" and "Shaming" in f["message"] for f in record["flags"])
    for t in record["tactics"]:
        assert 0 <= t["confidence"] <= 1
        assert t["span"]["rule"]


def test_tactics_component_skips_sources_and_proposals(extract_text):
    tactics = _tactics(extract_text(PAGE))
    assert "Auto Seizure" not in tactics  # only in the Key Sources list
    assert "John School" not in tactics   # only considered, never launched


def test_tactics_component_news_story_evidence(extract_text):
    text = ("Nine men charged in online prostitution sting\n\nMarch 3, 2021\n\n"
            "RIVERTON, Wyo. — Detectives posted decoy ads on an escort website and arrested nine men "
            "who arrived at a motel expecting to pay for sex, police said. Their vehicles were impounded.\n")
    tactics = _tactics(extract_text(text))
    assert set(tactics) == {"Web Stings", "Buyer Arrests", "Auto Seizure"}
    assert not any(t["listed"] for t in tactics.values())


def test_tactics_component_no_tactics_on_unrelated_text(extract_text):
    text = "Annual report\n\nThe library extended its opening hours and bought new computers for residents.\n"
    assert extract_text(text)["tactics"] == []


@pytest.mark.parametrize("variant", ["crlf", "bom", "nbsp", "emoji", "curly"])
def test_tactics_spans_valid_on_odd_text(extract_text, variant):
    text = PAGE
    if variant == "crlf":
        text = text.replace("\n", "\r\n")
    elif variant == "bom":
        text = "\ufeff" + text
    elif variant == "nbsp":
        text = text.replace("reverse stings", "reverse\u00a0stings").replace(" fake ad", "\u00a0fake\u00a0ad")
    elif variant == "emoji":
        text = text.replace("Springfield is", "🚓 Springfield 🙂 is").replace("Shaming", "Shaming 😶")
    elif variant == "curly":
        text = text.replace("were published", "were “published”").replace("Reverse stings", "‘Reverse stings’")
    record = extract_text(text)
    labels = {t["label"] for t in record["tactics"]}
    assert {"Reverse Stings", "Letters", "Buyer Arrests"} <= labels
    for t in record["tactics"]:
        for span in [t["span"]] + t["evidence"]:
            assert text[span["start"]:span["end"]] == span["text"]


def test_tactics_component_overview_page_has_no_use_evidence(extract_text):
    text = ("How reverse stings work\n\nA reverse sting puts an undercover officer in the role of a person "
            "selling sex. Departments that use them say the arrests deter buyers.\n")
    assert extract_text(text)["tactics"] == []


def test_tactics_employment_loss_needs_a_case_nearby(extract_text):
    base = "Springfield, IL\n\nSpringfield is a city of 60,000 people. {}\n"
    unrelated = extract_text(base.format("The chief was placed on administrative leave after a budget dispute."))
    assert "Employment Loss" not in {t["label"] for t in unrelated["tactics"]}
    case = extract_text(base.format("A teacher arrested in the sting was placed on administrative leave "
                                    "pending the outcome of the charges."))
    assert "Employment Loss" in {t["label"] for t in case["tactics"]}


def test_tactics_web_sting_ads_placed_online(extract_text):
    text = ("Springfield, IL\n\nSpringfield is a city. In 2019 vice officers placed ads online and arrested "
            "eight men who answered them.\n")
    labels = {t["label"] for t in extract_text(text)["tactics"]}
    assert {"Web Stings", "Buyer Arrests"} <= labels


@pytest.mark.parametrize("sentence,label", [
    ("Officers posing as sex workers arrested the men.", "Reverse Stings"),
    ("The john sting was the third this year.", "Reverse Stings"),
    ("Detectives responded to online ads and set up meetings at a motel.", "Web Stings"),
    ("Men convicted of soliciting are publicly identified on the city website.", "Identity Disclosure"),
    ("Their mugshots were posted on the department's Facebook page.", "Identity Disclosure"),
    ("Authorities impounded 14 vehicles during the operation.", "Auto Seizure"),
    ("First-time offenders may enter a diversion program for johns.", "John School"),
    ("The department mails letters to the registered owners of cars seen cruising.", "Letters"),
    ("Convicted buyers must perform 40 hours of community service.", "Community Service"),
    ("Judges issue stay-away orders that keep buyers out of the corridor.", "SOAP Orders"),
    ("Neighborhood associations organized weekly walks along the strip.", "Neighborhood Action"),
    ("The city launched a billboard campaign warning buyers.", "Public Education"),
])
def test_tactics_evidence_phrasings(extract_text, sentence, label):
    text = f"Springfield, IL\n\nSpringfield is a city of 60,000 people. {sentence}\n"
    assert label in {t["label"] for t in extract_text(text)["tactics"] if t["evidence"]}


@pytest.mark.parametrize("sentence", [
    "The council debated whether to impound the vehicles of johns.",
    "Police have never conducted a reverse sting in the town.",
    "Officials hope to open a john school next year.",
    "The city does not publish the names of men arrested.",
    "Many residents lost their jobs when the mill closed.",
    "The church holds a community service day each spring.",
])
def test_tactics_evidence_negative_phrasings(extract_text, sentence):
    text = f"Springfield, IL\n\nSpringfield is a city of 60,000 people. {sentence}\n"
    assert {t["label"] for t in extract_text(text)["tactics"] if t["evidence"]} == set()


def test_tactics_men_answering_ads_in_a_study_is_no_web_sting(extract_text):
    text = ("Springfield, IL\n\nSpringfield is a city. A 2013 study estimated that 9% of adult men in the city "
            "responded to online sex advertisements.\n")
    assert "Web Stings" not in {t["label"] for t in extract_text(text)["tactics"]}
    text = ("Springfield, IL\n\nSpringfield is a city. Detectives ran a hotel sting to arrest men responding "
            "to online ads.\n")
    assert "Web Stings" in {t["label"] for t in extract_text(text)["tactics"]}


def test_tactics_cameras_need_a_surveillance_context(extract_text):
    base = "Springfield, IL\n\nSpringfield is a city of 60,000 people. {}\n"
    news = extract_text(base.format("Television cameras followed the mayor to the ribbon cutting."))
    assert "Cameras" not in {t["label"] for t in news["tactics"]}
    used = extract_text(base.format("The city installed cameras along the corridor to deter cruising johns."))
    assert "Cameras" in {t["label"] for t in used["tactics"]}


def test_tactics_and_population_cost_grows_linearly_on_one_endless_sentence(nlp):
    """A page that is one sentence full of matches: cues are read in bounded windows."""
    import time

    unit = ("Police arrested 12 men, 7 johns and 3 pimps; population 40,000; reverse stings, "
            "vehicle seizure, names were published; Springfield is a city of 40,000 residents, ")

    def cost(n: int) -> float:
        doc = nlp.make_doc("Springfield, IL\n\n" + (unit * (n // len(unit) + 1))[:n])
        for name, proc in nlp.pipeline:
            if name in ("sentencizer", "profilex_layout", "profilex_jurisdiction"):
                doc = proc(doc)
        start = time.perf_counter()
        nlp.get_pipe("profilex_population")(doc)
        nlp.get_pipe("profilex_tactics")(doc)
        return time.perf_counter() - start

    cost(5_000)  # warm up
    small, large = cost(10_000), cost(40_000)
    assert large < 12 * small + 0.5, f"10 KB took {small:.2f}s, 40 KB took {large:.2f}s"

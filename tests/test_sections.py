"""pipeline.sections.find_layout: page regions and the tactic list, on every list shape."""
from __future__ import annotations

from pipeline.sections import find_layout

CANONICAL_15 = ["Auto Seizure", "Buyer Arrests", "Cameras", "Community Service", "Employment Loss",
                "Identity Disclosure", "IT Based Tactics", "John School", "Letters", "License Suspension",
                "Neighborhood Action", "Public Education", "Reverse Stings", "SOAP Orders", "Web Stings"]
NARRATIVE = ("Springfield is a city of about 60,000 residents on the river. Police there have run "
             "reverse stings for years, and the names of arrested buyers are published.")
FOOTER = "State Illinois\nType City\nPopulation 59871\nComments are closed.\n"


def page(list_block: str, title: str = "Springfield, IL", footer: str = FOOTER) -> str:
    return f"{title}\n\n{list_block}\n\n{NARRATIVE}\n\nKey Sources\n\nReverse Stings:\n\n{footer}"


def labels(text: str) -> list[tuple[str, object]]:
    return [(i.label.text, i.checked) for i in find_layout(text).tactic_items]


def assert_regions_exact(text: str) -> None:
    layout = find_layout(text)
    for section in layout.sections:
        r = section.region
        assert text[r.start:r.end] == r.text
    for item in layout.tactic_items:
        assert text[item.label.start:item.label.end] == item.label.text
    for region in layout.footer.values():
        assert text[region.start:region.end] == region.text


def test_sections_fifteen_label_list():
    text = page("Tactics Used\n\n" + "\n".join(CANONICAL_15))
    assert [label for label, _ in labels(text)] == CANONICAL_15
    assert all(checked is None for _, checked in labels(text))
    assert_regions_exact(text)


def test_sections_thirteen_label_list():
    thirteen = [x for x in CANONICAL_15 if x not in ("Cameras", "Letters")]
    text = page("Tactics Used\n\n" + "\n".join(thirteen))
    assert [label for label, _ in labels(text)] == thirteen


def test_sections_lower_case_older_list():
    older = ["Reverse stings", "Auto seizure", "Community service", "John school", "Web stings"]
    text = page("Tactics Used\n\n" + "\n".join(older))
    assert [label for label, _ in labels(text)] == older


def test_sections_reordered_mixed_case_list():
    rows = ["web STINGS", "Buyer arrests", "IT-based Tactics", "SOAP orders"]
    text = page("Tactics used:\n\n" + "\n".join(rows))
    assert [label for label, _ in labels(text)] == rows


def test_sections_categories_with_leading_check_marks():
    rows = "✓ Reverse stings\n✓ Shaming\n✗ Cameras\n☐ Letters\n✔ Web stings"
    text = page("Categories:\n\n" + rows)
    assert labels(text) == [("Reverse stings", True), ("Shaming", True), ("Cameras", False),
                            ("Letters", False), ("Web stings", True)]


def test_sections_categories_with_trailing_check_marks_and_header_row():
    rows = "Tactic\tIn use\nAuto Seizure\t✔\nCameras\t✗\nJohn School\t✓"
    text = page("Categories:\n\n" + rows)
    assert labels(text) == [("Auto Seizure", True), ("Cameras", False), ("John School", True)]


def test_sections_categories_row_without_mark_is_unchecked():
    rows = "Reverse stings\t✓\nShaming\nWeb stings\t✔"
    text = page("Categories:\n" + rows)
    assert labels(text) == [("Reverse stings", True), ("Shaming", False), ("Web stings", True)]


def test_sections_absent_list():
    text = f"Woburn, MA\n\n{NARRATIVE}\n\nState Massachusetts\nType City\nComments are closed.\n"
    layout = find_layout(text)
    assert layout.tactic_items == []
    assert [s.name for s in layout.sections] == ["title", "narrative", "footer"]
    assert layout.footer["state"].text == "Massachusetts"
    assert "population" not in layout.footer


def test_sections_news_story_is_title_and_narrative():
    text = ("Seven men arrested in reverse prostitution sting\n\nNov. 15, 2012\n\n"
            "SPRINGFIELD, Ill. — Police arrested seven men Wednesday who tried to pay for sex.\n\n"
            "The department held another sting in August.\n")
    layout = find_layout(text)
    assert layout.tactic_items == []
    assert layout.footer == {}
    assert layout.title.text == "Seven men arrested in reverse prostitution sting"
    assert {s.name for s in layout.sections} == {"title", "narrative"}


def test_sections_faq_has_no_list_or_footer():
    text = ("1. What is the extent of sex trafficking in Ohio?\nIt is hard to say, and experts disagree.\n"
            "2. How do police respond?\nThey run stings, and they train officers.\n")
    layout = find_layout(text)
    assert layout.tactic_items == [] and layout.footer == {}
    assert layout.section_at(text.index("They run")) == "narrative"


def test_sections_footer_values_and_section_at():
    text = page("Tactics Used\n\nReverse Stings")
    layout = find_layout(text)
    assert {k: v.text for k, v in layout.footer.items()} == {"state": "Illinois", "type": "City",
                                                             "population": "59871"}
    assert layout.section_at(text.index("Springfield is")) == "narrative"
    assert layout.section_at(text.index("Reverse Stings:")) == "sources"
    assert layout.section_at(text.index("Type City")) == "footer"
    assert layout.section_at(text.index("Reverse Stings\n")) == "tactics"


def test_sections_odd_text_regions_match():
    for text in (
        page("Tactics Used\r\n\r\nReverse Stings\r\nWeb Stings").replace("\n", "\r\n"),
        page("Tactics Used\n\n\u00a0Reverse\u00a0Stings\u00a0\nWeb Stings 🚔"),
        page("Categories:\n\n“Reverse stings”\t✓\nWeb stings\t✔", title="Springfield’s Profile 🙂"),
    ):
        assert_regions_exact(text)
        assert len(find_layout(text).tactic_items) == 2


def test_sections_inline_list_after_heading():
    text = page("Tactics Used: Reverse Stings, John School; Web Stings")
    assert labels(text) == [("Reverse Stings", None), ("John School", None), ("Web Stings", None)]
    assert_regions_exact(text)


def test_sections_inline_heading_sentence_is_no_list():
    text = page("Tactics: the department has relied on arrests, and it has also tried letters to owners of cars.")
    assert labels(text) == []


def test_sections_markdown_table_with_marks():
    rows = "| Tactic | In use |\n|---|---|\n| Reverse stings | ✓ |\n| Cameras | |\n| Web stings | ✔ |"
    text = page("Categories:\n\n" + rows)
    assert labels(text) == [("Reverse stings", True), ("Cameras", False), ("Web stings", True)]
    assert_regions_exact(text)


def test_sections_yes_no_cells():
    text = page("Tactics Used\n\nReverse stings\tYes\nCameras\tNo\nWeb stings\tyes")
    assert labels(text) == [("Reverse stings", True), ("Cameras", False), ("Web stings", True)]


def test_sections_footer_keeps_unreadable_population_line():
    text = page("Tactics Used\n\nReverse Stings", footer="State Illinois\nType City\nPopulation 1e999\nComments are closed.\n")
    layout = find_layout(text)
    assert layout.footer["type"].text == "City" and layout.footer["population"].text == "1e999"
    text = page("Tactics Used\n\nReverse Stings", footer="State Illinois\nType City\nPopulation N/A\n")
    assert find_layout(text).footer["population"].text == "N/A"


def test_sections_population_heading_is_not_footer():
    text = "Springfield, IL\n\nSpringfield is a city of about 60,000 people on the river.\n\nPopulation growth\n"
    assert find_layout(text).footer == {}

"""Nynorsk in the questionnaire: v1 speaks it everywhere; older files without it still load."""

import json
from pathlib import Path
from typing import Any

import pytest

from intake.questionnaire import Text, load_questionnaire, parse_questionnaire

SHIPPED = Path(__file__).resolve().parents[2] / "intake" / "questionnaires" / "v1.json"


def _texts(questionnaire: Any) -> list[Text]:
    texts = [questionnaire.title]
    if questionnaire.intro:
        texts.append(questionnaire.intro)
    for item in questionnaire.items:
        texts += [item.text, *(c.text for c in item.choices)]
        texts += [t for t in (item.help, item.staff_label) if t]
    return texts


def test_every_text_of_v1_speaks_nynorsk() -> None:
    questionnaire = load_questionnaire("v1")
    for text in _texts(questionnaire):
        assert text.nn.strip(), text.nb
        assert text.in_language("nn") == text.nn
    item = questionnaire.item("safety_fear")
    assert item.help is not None and "aldri sjå" in item.help.in_language("nn")


def test_a_questionnaire_without_nynorsk_loads_and_shows_bokmal() -> None:
    raw = json.loads(SHIPPED.read_text(encoding="utf-8"))

    def strip(node: Any) -> None:
        if isinstance(node, dict):
            node.pop("nn", None)
            for value in node.values():
                strip(value)
        elif isinstance(node, list):
            for value in node:
                strip(value)

    strip(raw)
    older = parse_questionnaire(raw)
    first = older.items[0].text
    assert first.nn == "" and first.in_language("nn") == first.nb
    assert first.in_language("en") == first.en
    assert "nn" not in first.as_dict()


def test_an_empty_nynorsk_text_is_refused() -> None:
    raw = json.loads(SHIPPED.read_text(encoding="utf-8"))
    raw["items"][0]["text"]["nn"] = "  "
    with pytest.raises(ValueError, match="'nn'"):
        parse_questionnaire(raw)

"""Pronoun and verb agree in every text, rendered for he, she and they.

Texts are written once with placeholders ("{they} need{s} room"); forgetting a ``{s}`` reads
"how he feel about you" for he and she only, which no other test notices. This renders every string
under ``content/`` for each pronoun and looks for a pronoun followed by a verb in the wrong form.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.content.loader import default_content_dir
from bot.content.pronouns import PRONOUNS, render

# Every verb the content puts after a pronoun placeholder, in its base form. Keep it complete:
# test_every_verb_the_content_conjugates_is_listed fails when a text uses one that is missing.
VERBS = {
    "act", "answer", "ask", "become", "begin", "believe", "call", "care", "change", "choose",
    "come", "decide", "do", "enjoy", "feel", "find", "get", "give", "go", "have", "hear", "hope",
    "keep", "know", "leave", "like", "listen", "look", "love", "make", "mean", "miss", "move",
    "need", "notice", "open", "plan", "pull", "reach", "read", "realise", "realize", "recharge",
    "reply", "respond", "return", "say", "see", "seem", "send", "show", "sound", "spend", "start",
    "step", "stop", "take", "talk", "tell", "text", "think", "try", "turn", "value", "wait",
    "want", "withdraw", "wonder", "work", "worry", "write",
}  # fmt: skip
# After these, a base form is right: "does he need", "let them rest", "will she want".
AUXILIARIES = {
    "do", "does", "did", "don't", "doesn't", "didn't", "will", "would", "can", "could", "should",
    "might", "may", "must", "won't", "wouldn't", "can't", "couldn't", "shouldn't", "let", "help",
    "make", "made",
}  # fmt: skip
# Words that may stand between the pronoun and its verb without changing the verb's form.
ADVERBS = r"(?:(?:just|really|still|also|often|simply|probably|never|always|only|already|truly|genuinely|usually|sometimes) )?"


def third_person(verb: str) -> str:
    irregular = {"do": "does", "have": "has", "go": "goes"}
    if verb in irregular:
        return irregular[verb]
    if re.search(r"(s|sh|ch|x|z)$", verb):
        return verb + "es"
    if re.search(r"[^aeiou]y$", verb):
        return verb[:-1] + "ies"
    return verb + "s"


BASE = "|".join(sorted(VERBS | {"are", "were", "don't", "aren't", "weren't"}))
THIRD = "|".join(
    sorted({third_person(v) for v in VERBS} | {"is", "was", "doesn't", "isn't", "wasn't"})
)
SINGULAR_BASE = re.compile(rf"(?:^|(\S+) )\b(he|she) {ADVERBS}({BASE})\b", re.IGNORECASE)
PLURAL_THIRD = re.compile(rf"\bthey {ADVERBS}({THIRD})\b", re.IGNORECASE)
QUESTION_SINGULAR = re.compile(r"\b(do|are|were|have|don't|aren't) (he|she)\b", re.IGNORECASE)
QUESTION_PLURAL = re.compile(r"\b(does|is|was|has|doesn't|isn't|wasn't) they\b", re.IGNORECASE)


def disagreements(text: str) -> list[str]:
    """Each place in ``text`` where a subject pronoun and the verb after it disagree."""
    found = []
    plain = re.sub(r"<[^>]+>", "", text)
    for match in SINGULAR_BASE.finditer(plain):
        before = (match.group(1) or "").lower().strip("«\"'(")
        if before not in AUXILIARIES:
            found.append(match.group(0).strip())
    found += [m.group(0) for m in PLURAL_THIRD.finditer(plain)]
    found += [m.group(0) for m in QUESTION_SINGULAR.finditer(plain)]
    found += [m.group(0) for m in QUESTION_PLURAL.finditer(plain)]
    return found


def content_strings() -> Iterator[tuple[str, str]]:
    """(file: key path, template) for every string in every TOML file under content/."""

    def walk(node: object, where: str) -> Iterator[tuple[str, str]]:
        if isinstance(node, str):
            yield where, node
        elif isinstance(node, dict):
            for key, value in node.items():
                yield from walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, f"{where}[{index}]")

    for path in sorted(default_content_dir().glob("*.toml")):
        yield from walk(tomllib.loads(path.read_text()), path.name)


def test_the_check_catches_what_it_is_for() -> None:
    assert disagreements("Notice how he feel about you.") == ["how he feel"]
    assert disagreements("Maybe she need a day.") == ["Maybe she need"]
    assert disagreements("Remember they needs time.") == ["they needs"]
    assert disagreements("Even if he don't answer.") == ["if he don't"]
    assert disagreements("Does they want to talk?") == ["Does they"]
    assert disagreements("Does he need space? Let her rest; she needs it.") == []
    assert disagreements("They want room, and he will feel it.") == []


@pytest.mark.parametrize("pronoun", PRONOUNS)
def test_every_text_agrees_with_its_pronoun(pronoun: str) -> None:
    wrong = []
    for where, template in content_strings():
        try:
            text = render(template, pronoun)
        except (KeyError, ValueError, IndexError):
            continue  # not a template (e.g. a pattern); placeholders are checked at load time
        wrong += [f"{where}: «{bad}»" for bad in disagreements(text)]
    assert wrong == []


def test_every_verb_the_content_conjugates_is_listed() -> None:
    stems = set()
    for _, template in content_strings():
        for match in re.finditer(r"\{[Tt]hey\} " + ADVERBS + r"(\w+)\{e?s\}", template):
            stems.add(match.group(1).lower())
    assert stems - VERBS == set()


def test_the_content_folder_is_where_the_bot_reads_it() -> None:
    assert Path(default_content_dir(), "principles.toml").is_file()

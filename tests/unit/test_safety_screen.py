"""The lexicon half of the safety screen: recall first, robust to how children type."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.safety.screen import SafetyScreen

DATA = Path(__file__).resolve().parents[1] / "data"
GOLDEN = [d["text"] for d in yaml.safe_load((DATA / "safeguarding_golden.yml").read_text())[
    "disclosures"]]
BENIGN = yaml.safe_load((DATA / "safeguarding_benign.yml").read_text())["benign"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]


def misses(screen: SafetyScreen, texts: list[str]) -> list[str]:
    return [t for t in texts if not screen.check(t).is_concern]


def test_every_golden_disclosure_is_caught(safety_screen: SafetyScreen) -> None:
    assert len(GOLDEN) >= 150
    assert misses(safety_screen, GOLDEN) == []


def test_the_golden_set_covers_every_category_and_style() -> None:
    data = yaml.safe_load((DATA / "safeguarding_golden.yml").read_text())["disclosures"]
    categories = {d["category"] for d in data}
    styles = {d["style"] for d in data}
    assert {"abuse_sexual", "self_harm", "suicide", "exploitation_criminal", "missing",
            "domestic_abuse", "unsafe", "neglect"} <= categories
    assert {"slang", "typos", "emoji", "third_party", "in_form", "parent", "injection"} <= styles


def test_benign_look_alikes_rarely_trigger(safety_screen: SafetyScreen) -> None:
    fired = [t for t in BENIGN if safety_screen.check(t).is_concern]
    rate = len(fired) / len(BENIGN)
    print(f"benign false-positive rate: {len(fired)}/{len(BENIGN)} = {rate:.1%}")
    assert rate <= 0.20, fired


def test_county_lines_slang_is_read_as_the_exact_word(safety_screen: SafetyScreen) -> None:
    """ "olders" (older gang members) is slang only as written: a parent's "my 15 year old
    wants to go to a sleepover" is not "the olders want"."""
    assert safety_screen.check("my olders want me to hold a package").is_concern
    assert not safety_screen.check("my 15 yr old wants to go to a sleepover").is_concern
    assert not safety_screen.check("my 12 year old wants her own phone").is_concern


@pytest.mark.parametrize(
    ("everyday", "disclosure"),
    [("my nose has been bleeding since friday", "i have a noose in my room"),
     ("we need stuff for school", "he gave me weed for stuff"),
     ("my 2 year old loves the park", "he keeps hiiitting me"),
     ("can i take him 2 the park", "i want to kiiill myself"),
     ("my son wants to see his dad soon", "he hurt meee"),
     ("the foster carers have been so good", "dont teeell anyone"),
     ("can i stay at the inn on holiday", "he comes innn my room at night"),
     ("can my social worker call me back later", "my carer caaalls me worthless every day")],
)
def test_real_words_keep_their_spelling_while_stretched_ones_are_folded(
    safety_screen: SafetyScreen, everyday: str, disclosure: str
) -> None:
    """Doubled letters are folded only in words no dictionary knows: "noose" is not "nose"
    and "we" is not "wee", but "kiiill" is still "kill" and "hiiitting" still "hit"."""
    assert not safety_screen.check(everyday).is_concern
    assert safety_screen.check(disclosure).is_concern


def test_screens_in_several_threads_read_alike(safety_screen: SafetyScreen) -> None:
    """The server screens on its event loop and in worker threads (invite codes) at once;
    a stretched word's second reading must not leak into another thread's message."""
    texts = ["he hurt meee", "dont teeell anyone", "my son wants to see his dad soon",
             "the foster carers have been so good", "he comes innn my room at night",
             "can i stay at the inn on holiday"] * 40
    alone = [safety_screen.check(t).categories for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda t: safety_screen.check(t).categories, texts))
    assert together == alone


@pytest.mark.parametrize(
    "text",
    ["/greet my stepdad touches me", "/restart i want to kill myself",
     '/greet{"x": 1} he hits me', "//inform i dont feel safe at home"],
)
def test_slash_command_injection_is_still_caught(safety_screen: SafetyScreen, text: str) -> None:
    assert safety_screen.check(text).is_concern


@pytest.mark.parametrize(
    "text",
    ["he comes in my room at night", "I don't feel safe at home", "i wanna kms",
     "k i l l  m y s e l f", "my foster dad HIIIITS me", "im scared to go home"],
)
def test_indirect_and_disguised_disclosures_are_caught(
    safety_screen: SafetyScreen, text: str
) -> None:
    assert safety_screen.check(text).is_concern


def _with_case(text: str, flips: list[bool]) -> str:
    return "".join(c.upper() if f else c.lower() for c, f in zip(text, flips + [False] * len(text)))


@st.composite
def disguised(draw: st.DrawFn) -> tuple[str, str]:
    """A golden disclosure and the same words with case, punctuation, invisible characters
    and stretched letters changed the way people (or evasive writers) type them."""
    text = draw(st.sampled_from(GOLDEN))
    changed = text
    if draw(st.booleans()):
        changed = _with_case(changed, draw(st.lists(st.booleans(), max_size=len(changed))))
    if draw(st.booleans()):
        changed = draw(st.sampled_from(["", "...", "!!", "?? "])) + changed + draw(
            st.sampled_from(["", ".", "!!!", "??", " :(", "..."]))
    if draw(st.booleans()):
        chars = list(changed)
        for _ in range(draw(st.integers(1, 6))):
            chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from(ZERO_WIDTH)))
        changed = "".join(chars)
    if draw(st.booleans()):
        letters = [i for i, c in enumerate(changed) if c.isalpha()]
        if letters:
            i = draw(st.sampled_from(letters))
            changed = changed[:i] + changed[i] * draw(st.integers(2, 6)) + changed[i + 1:]
    return text, changed


# CAREBOT_HYPOTHESIS_EXAMPLES=3000 for a deeper search than CI's
EXAMPLES = int(os.environ.get("CAREBOT_HYPOTHESIS_EXAMPLES", "300"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair=disguised())
def test_case_punctuation_invisible_characters_and_stretching_never_hide_a_disclosure(
    safety_screen: SafetyScreen, pair: tuple[str, str]
) -> None:
    original, changed = pair
    assert safety_screen.check(original).is_concern
    assert safety_screen.check(changed).is_concern, changed


@pytest.mark.parametrize("text", [
    "when i first came into care i was scared but they made me feel safe at home",
    "it feels like part of my body, i feel naked if i leave my phone at home",
])
def test_feelings_given_and_a_phone_left_at_home_are_not_sexual_words(
    safety_screen: SafetyScreen, text: str
) -> None:
    assert not safety_screen.check(text).is_concern


@pytest.mark.parametrize("text", ["i took my tablets this morning",
                                  "my nan takes lots of pills for her heart",
                                  "i have to take tablets for my asthma"])
def test_medicine_taken_as_usual_is_not_an_overdose(safety_screen: SafetyScreen, text: str) -> None:
    assert not safety_screen.check(text).is_concern


@pytest.mark.parametrize("text", ["he made me feel dirty", "she felt me up",
                                  "he touched me and made me feel bad",
                                  "i hate my life lol i hope i die soon",
                                  "i want to go back to school so my step-dad stops hitting mummy",
                                  "daddy hit me again"])
def test_their_disclosing_neighbours_are_caught(
    safety_screen: SafetyScreen, text: str
) -> None:
    assert safety_screen.check(text).is_concern

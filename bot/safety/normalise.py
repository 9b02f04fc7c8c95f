"""Undo the ways text hides words from a matcher: case, zero-width characters, stretched
letters, spaced-out letters, look-alike digits and a few emoji.

Recall matters more than elegance here: the same function normalises the lexicon, so a
disclosure and the phrase that should catch it always meet in the same form.
"""

from __future__ import annotations

import re
import unicodedata

EMOJI_WORDS = {
    "🔪": " knife ",
    "🗡": " knife ",
    "💊": " pills ",
    "🩸": " blood ",
    "🩹": " plaster ",
    "🆘": " sos ",
    "⚰": " coffin ",
    "🪢": " rope ",
    "🍆": " dick ",
    "👊": " punch ",
    "🤛": " punch ",
    "🤜": " punch ",
}
LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
_WORD_WITH_LEET = re.compile(r"\b(?=\w*[a-z])(?=\w*[0-9@$])[\w@$]+\b")
_SPACED_LETTERS = re.compile(r"\b(?:[a-z][ .\-_*]){3,}[a-z]\b")
_STRETCHED = re.compile(r"([a-z])\1{2,}")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[a-z']+")
# Contractions the tokenizer splits ("cant" -> "ca" + "nt" = "not") only when spelt exactly;
# keyed by their squashed form so "ccant" or "donnt" are split the same way.
CONTRACTIONS = {
    squash_form: word
    for word in ("cant", "dont", "wont", "didnt", "doesnt", "isnt", "wasnt", "arent", "aint",
                 "couldnt", "wouldnt", "shouldnt", "havent", "hasnt", "im", "ive", "id")
    for squash_form in {re.sub(r"(.)\1+", r"\1", word)}
}
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})


def normalise(text: str, stretched_to_one: bool = False) -> str:
    """Text as the matcher reads it. A letter written three or more times becomes two
    ("noooose" -> "noose", "kiiill" -> "kiill"), or with ``stretched_to_one`` one ("innn" ->
    "in", "caaalls" -> "calls"): either can be the word meant, so the screen reads both."""
    text = _clean(text)
    text = _SPACED_LETTERS.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group(0)), text)
    text = _STRETCHED.sub(r"\1" if stretched_to_one else r"\1\1", text)
    text = _SPACES.sub(" ", text).strip()
    return _WORD.sub(lambda m: CONTRACTIONS.get(squash(m.group(0)), m.group(0)), text)


def is_stretched(text: str) -> bool:
    """Whether some letter is written three or more times in a row."""
    return _STRETCHED.search(_clean(text)) is not None


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")  # zero-width etc.
    for emoji, word in EMOJI_WORDS.items():
        text = text.replace(emoji, word)
    text = text.translate(_APOSTROPHES).casefold()
    return _WORD_WITH_LEET.sub(lambda m: m.group(0).translate(LEET), text)


# four or more single (possibly doubled) letters, each followed by separators or a non-letter
_LETTER_BY_LETTER = re.compile(r"(?<![a-z])(?:([a-z])\1*(?:[\s.\-_*]+|(?![a-z]))){4,}")


def letter_by_letter_runs(text: str) -> list[str]:
    """Words spelt out one letter at a time, joined: "i w a n t t o d i e" -> "iwanttodie"."""
    return [re.sub(r"[^a-z]", "", m.group(0)) for m in _LETTER_BY_LETTER.finditer(_clean(text))]


def squash(word: str) -> str:
    """A matching key: every run of a repeated letter made single ("hitting" -> "hiting")."""
    return re.sub(r"(.)\1+", r"\1", word)

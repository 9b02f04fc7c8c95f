"""The safety screen: the first thing every piece of user text meets.

Two layers, either fires: this lexicon/pattern layer (recall first, no model), and a trained
Rasa intent `concern` answered by a rule. A failure here fails safe: the caller treats an
exception as a hit, so a broken screen never means a missed disclosure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from spacy.tokens import Doc

from bot.safety.lexicon import (
    LEXICON_FIRST,
    CompiledLexicon,
    SpellingNeighbours,
    build_nlp,
    compile_lexicon,
    english_word_log_probs,
    folded_vocabulary,
)
from bot.safety.normalise import is_stretched, letter_by_letter_runs, normalise, squash

MAX_SCREENED_CHARS = 20_000  # more than any channel accepts; bounds the work per message


@dataclass(frozen=True)
class ScreenResult:
    categories: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_concern(self) -> bool:
        return bool(self.categories)


class SafetyScreen:
    def __init__(self, lexicon_path: Path) -> None:
        word_log_probs = english_word_log_probs()
        self.nlp = build_nlp(word_log_probs)
        self.lexicon: CompiledLexicon = compile_lexicon(lexicon_path, self.nlp)
        # Misspellings are corrected towards lexicon words only once the lexicon is compiled,
        # so the lexicon's own words are never "corrected".
        keys = self.nlp.get_pipe("carebot_match_keys")
        keys.spelling = SpellingNeighbours(set(self.lexicon.vocabulary), word_log_probs)
        keys.folded_vocabulary = folded_vocabulary(self.lexicon.vocabulary)
        keys.lexicon_words = self.lexicon.vocabulary

    def check(self, text: str) -> ScreenResult:
        """Every way the text can be read is matched: a letter written three or more times
        as two and as one ("innn" may be "inn" or "in"), and a stretched word as a dictionary
        word and as a lexicon word ("mee" as "mee" and as "me"). Each reading is its own doc,
        so screens in several threads share nothing that changes."""
        text = text[:MAX_SCREENED_CHARS]
        readings = [normalise(text)]
        if is_stretched(text):
            readings.append(normalise(text, stretched_to_one=True))
        categories: set[str] = set()
        for reading in readings:
            doc = self.nlp(reading)
            categories |= self._matches(doc)
            if lexicon_first := doc.user_data.get(LEXICON_FIRST):
                for index, key in lexicon_first.items():
                    doc[index].norm_ = key
                categories |= self._matches(doc)
        for run in letter_by_letter_runs(text):
            if any(phrase in squash(run) for phrase in self.lexicon.compact):
                categories.add("spelt_out")
        return ScreenResult(tuple(sorted(categories)))

    def _matches(self, doc: Doc) -> set[str]:
        ignored = [(start, end) for _, start, end in self.lexicon.ignore(doc)]
        categories: set[str] = set()
        for match_id, start, end in self.lexicon.matcher(doc):
            if any(s <= start and end <= e for s, e in ignored):
                continue
            categories.add(self.nlp.vocab.strings[match_id])
        return categories

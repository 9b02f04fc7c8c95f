"""Compile the safeguarding lexicon (content/safeguarding/lexicon.yml) into spaCy matchers.

Each pattern word is run through the same pipeline as user text (normalise -> tokenise ->
lookup lemma; a word no dictionary knows has its repeated letters folded), so "HIIITTING",
"hits" and "hit" share one key while "noose" and "nose" do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
import yaml
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from bot.safety.normalise import normalise, squash

GAP_TOKENS = 3
# doc.user_data key: token index -> the key it has when a stretched word is read as a
# lexicon word first (see MatchKeys._stretched_lexicon_word)
LEXICON_FIRST = "carebot_lexicon_first_keys"


class LexiconError(ValueError):
    """A lexicon pattern cannot be compiled; the screen must not start with a hole in it."""


# Each token's matching key (squashed dictionary form) is its NORM; its squashed exact
# spelling (for "=word" patterns) is its LEMMA, set by carebot_match_keys after lemmatising.
KEY_ATTR = "NORM"
EXACT_ATTR = "LEMMA"


def build_nlp(word_log_probs: dict[str, float]) -> Language:
    """spaCy with no downloaded model: tokenizer, lookup lemmas (spacy-lookups-data), keys.

    ``word_log_probs`` (how common each English word is) decides which words are real words
    whose spelling is kept; it is given before the lexicon is compiled so that the lexicon's
    words and the user's words are keyed by the same rule."""
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("carebot_match_keys", last=True)
    nlp.get_pipe("carebot_match_keys").word_log_probs = word_log_probs
    nlp.initialize()
    return nlp


@Language.factory("carebot_match_keys")
def _make_match_keys(nlp, name):  # noqa: ANN001, ANN202 - spaCy validates untyped factories only
    return MatchKeys(nlp)


class MatchKeys:
    """Give each token a matching key: its dictionary form, found even when stretched.

    "HIIITS" is normalised to "hiits", which no dictionary knows; squashed it is "hits",
    whose lemma is "hit". So the lemma is looked up for the word as written and, failing
    that, for its squashed spelling, and the key is the squashed lemma.
    """

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self._table = None
        self._lemmas: set[str] = set()
        self.spelling: SpellingNeighbours | None = None
        self.word_log_probs: dict[str, float] = {}
        # the lexicon's words by their folded spelling, set once the lexicon is compiled
        self.folded_vocabulary: dict[str, str] = {}
        self.lexicon_words: frozenset[str] = frozenset()

    def __call__(self, doc: Doc) -> Doc:
        if self._table is None:
            self._table = self.nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
            self._lemmas = set(self._table.values())
        lexicon_first: dict[int, str] = {}
        for token in doc:
            lower = token.lower_
            lemma = token.lemma_.lower() or lower
            known = lemma != lower or lower in self._lemmas
            if not known and (stretched := self._stretched_lexicon_word(lower)) is not None:
                lexicon_first[token.i] = stretched
            if not known:
                found = self._dictionary_form(lower)
                known = found is not None or self._common(lower)
                lemma = found or lemma
            # Only a word no dictionary knows has its doubled letters folded ("kiill" ->
            # "kil" -> "kill"): folding real words made "noose" read as "nose", "good" as
            # "god", "weed" as "wed" and "soon" as "son".
            key = lemma if known else self._unknown_key(lemma)
            if self.spelling is not None:
                key = self.spelling.correct(lower, key)
            # Kept in spaCy's own NORM and LEMMA slots, which the Matcher reads natively; a
            # custom `token._` attribute made matching ten times slower.
            token.norm_ = key
            token.lemma_ = squash(lower)
        # Kept on the doc, not as a mode of this shared pipe, so a screen in any thread reads
        # it without a lock: the screen matches once more with these keys in place.
        doc.user_data[LEXICON_FIRST] = {i: k for i, k in lexicon_first.items()
                                        if k != doc[i].norm_}
        return doc

    def _stretched_lexicon_word(self, word: str) -> str | None:
        """A lexicon word written with a letter doubled ("mee", "teell", "caalls"). The
        dictionary and the frequency table count "tel", "cals", "mee" and "hee" as words of
        their own, so this second reading puts the lexicon first; the first reading keeps the
        dictionary first, since "feedd" is "feed", not the lexicon's "fed"."""
        folded = squash(word)
        if folded == word or word in self.lexicon_words:  # "off" and "too" are words of their own
            return None
        for base in [folded] + [folded[: -len(end)] for end in SUFFIXES if folded.endswith(end)]:
            if base in self.folded_vocabulary:  # "teell" is "tell", "caalls" is "call"
                return self.folded_vocabulary[base]
        return None

    def _common(self, word: str) -> bool:
        """A common English word the lemma table leaves out ("we", "so"): never refolded."""
        return self.word_log_probs.get(word, -99.0) > SpellingNeighbours.RARE_LOG_PROB

    def _unknown_key(self, word: str) -> str:
        """A word no dictionary knows, as the lexicon word it spells with letters doubled or
        undoubled ("kiill" and "kil" are "kill"), else its folded spelling."""
        folded = squash(word)
        return self.folded_vocabulary.get(folded, folded)

    def _dictionary_form(self, word: str) -> str | None:
        """For a word the lookup table lacks: stretched ("hiits"), dropped g ("makin"),
        an ending on a known word ("lamped" -> "lamp"), or both ("hiitting" -> "hit")."""
        # "feedd" is "feed" with its last letter doubled before it is "fed" folded
        candidates = [word[:-1]] if len(word) > 2 and word[-1] == word[-2] else []
        candidates.append(squash(word))
        for base in dict.fromkeys([word, squash(word)]):
            if base.endswith("in"):
                candidates.append(base + "g")
            candidates += [base[: -len(end)] for end in SUFFIXES if base.endswith(end)]
        for candidate in candidates:
            if candidate in self._table:
                return self._table.get(candidate)
            if candidate in self._lemmas:
                return candidate
        return None


class SpellingNeighbours:
    """Map a rare misspelling to the lexicon word one edit away ("kiks" -> "kick").

    Only words that are rare in English (spaCy's lexeme probability table) are corrected, and
    only towards words the lexicon uses, so "bead" never becomes "bed" but "tuch" becomes
    "touch". Single-deletion neighbourhoods (SymSpell) make the lookup a few dict probes.
    """

    RARE_LOG_PROB = -15.5
    MIN_CHARS = 3

    def __init__(self, vocabulary: set[str], word_log_probs: dict[str, float]) -> None:
        self.vocabulary = vocabulary
        self.word_log_probs = word_log_probs
        self.by_deletion: dict[str, set[str]] = {}
        for word in vocabulary:
            if len(word) >= self.MIN_CHARS - 1:
                for variant in _deletions(word) | {word}:
                    self.by_deletion.setdefault(variant, set()).add(word)

    def is_common(self, word: str) -> bool:
        return self.word_log_probs.get(word, -99.0) > self.RARE_LOG_PROB

    def correct(self, written: str, key: str) -> str:
        if key in self.vocabulary or len(key) < self.MIN_CHARS or not key.isalpha():
            return key
        if self.is_common(written):
            return key
        # a misspelt word with an ending: "strangeld" -> "strangel", one edit from "strangle"
        for stem in [key] + [key[: -len(end)] for end in SUFFIXES if key.endswith(end)]:
            candidates: set[str] = set()
            for variant in _deletions(stem) | {stem}:
                candidates |= self.by_deletion.get(variant, set())
            if candidates:
                return min(candidates, key=lambda w: (w[0] != stem[0], abs(len(w) - len(stem)), w))
        return key


SUFFIXES = ("ing", "in", "ed", "d", "es", "s")


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def folded_vocabulary(vocabulary: frozenset[str]) -> dict[str, str]:
    """Each lexicon word by its spelling with doubled letters made single; where two words
    fold alike ("nose", "noose") the shorter, then alphabetically first, is chosen."""
    folded: dict[str, str] = {}
    for word in sorted(vocabulary, key=lambda w: (len(w), w)):
        folded.setdefault(squash(word), word)
    return folded


def english_word_log_probs() -> dict[str, float]:
    """How common each English word is, from spacy-lookups-data (offline, ~5 s to load)."""
    import gzip
    import json

    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lexeme_prob.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


@dataclass(frozen=True)
class CompiledLexicon:
    matcher: Matcher
    ignore: Matcher
    pattern_count: int
    vocabulary: frozenset[str]
    compact: tuple[str, ...]


def compile_lexicon(path: Path, nlp: Language) -> CompiledLexicon:
    # BaseLoader keeps every scalar a string: "no", "off" and "on" are words here, not booleans.
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # noqa: S506
    sets = {name: list(words) for name, words in (data.get("sets") or {}).items()}
    matcher = Matcher(nlp.vocab)
    count = 0
    vocabulary: set[str] = set()
    for category, patterns in data["categories"].items():
        compiled = [spec for p in patterns for spec in _compile(p, sets, nlp)]
        matcher.add(category, compiled)
        count += len(compiled)
        vocabulary.update(_words_in(compiled))
    ignore = Matcher(nlp.vocab)
    ignore.add("ignore", [s for p in data.get("ignore") or [] for s in _compile(p, sets, nlp)])
    return CompiledLexicon(
        matcher=matcher,
        ignore=ignore,
        pattern_count=count,
        vocabulary=frozenset(vocabulary),
        compact=tuple(squash(phrase) for phrase in data.get("compact") or []),
    )


def _compile(
    pattern: str, sets: dict[str, list[str]], nlp: Language
) -> list[list[dict[str, Any]]]:
    """One lexicon line as Matcher patterns: one per way its multi-token words can be spelt."""
    variants: list[list[dict[str, Any]]] = [[]]
    for part in pattern.split():
        if part == "*":
            for spec in variants:
                spec.extend({"OP": "?"} for _ in range(GAP_TOKENS))
            continue
        optional = part.startswith("?")
        words: list[str] = []
        for alternative in part.lstrip("?").split("|"):
            if not alternative.startswith("@"):
                words.append(alternative)
            elif alternative[1:] in sets:
                words.extend(sets[alternative[1:]])
            else:
                raise LexiconError(f"unknown set {alternative!r} in pattern {pattern!r}")
        exact = all(w.startswith("=") for w in words)
        attr = EXACT_ATTR if exact else KEY_ATTR
        keyed = [_keys_of(w.lstrip("="), nlp, exact) for w in words]
        single = sorted({keys[0] for keys in keyed if len(keys) == 1})
        choices: list[list[dict[str, Any]]] = []
        if single:
            token: dict[str, Any] = {attr: {"IN": single}}
            choices.append([{**token, "OP": "?"} if optional else token])
        # a word spaCy splits ("gonna" -> "gon" "na") becomes its own variant of the pattern
        choices.extend([{attr: key} for key in keys] for keys in keyed if len(keys) > 1)
        variants = [spec + choice for spec in variants for choice in choices]
    return [_trim_gaps(spec, pattern) for spec in variants]


def _words_in(specs: list[list[dict[str, Any]]]) -> set[str]:
    words: set[str] = set()
    for spec in specs:
        for token in spec:
            value = token.get(KEY_ATTR)
            if isinstance(value, str):
                words.add(value)
            elif isinstance(value, dict):
                words.update(value["IN"])
    return words


def _keys_of(word: str, nlp: Language, exact: bool) -> list[str]:
    doc = nlp(normalise(word))
    keys = [t.lemma_ if exact else t.norm_ for t in doc]
    if not keys:
        raise LexiconError(f"empty word in lexicon: {word!r}")
    return keys


def _trim_gaps(spec: list[dict[str, Any]], pattern: str) -> list[dict[str, Any]]:
    """A gap at either end would only widen the matched span, never change whether it matches."""
    while spec and spec[0] == {"OP": "?"}:
        spec.pop(0)
    while spec and spec[-1] == {"OP": "?"}:
        spec.pop()
    if not spec:
        raise LexiconError(f"pattern matches nothing: {pattern!r}")
    return spec

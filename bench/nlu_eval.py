"""Score the trained model on the held-out NLU set, against a TF-IDF baseline in the same run.

`make eval-nlu` runs this. The held-out messages (tests/data/*_heldout.yml) were written
separately from the training data and are never trained on. The baseline (TF-IDF word and
character n-grams + logistic regression, scikit-learn) is trained on exactly the examples Rasa
trains on, so the ratio says what Rasa's pipeline adds.
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.topics import topic_of_intent
from bot.training import training_examples

REPO = Path(__file__).resolve().parent.parent
HELDOUT_TOPICS = REPO / "tests" / "data" / "nlu_heldout.yml"
HELDOUT_SMALL_TALK = REPO / "tests" / "data" / "small_talk_heldout.yml"
NLU_DIR = REPO / "rasa_project" / "data" / "nlu"


def heldout() -> list[tuple[str, str]]:
    """(text, label): a topic id for topic questions, the intent name for small talk."""
    return [(text, label) for text, label, _ in heldout_with_alternatives()]


def heldout_with_alternatives() -> list[tuple[str, str, frozenset[str]]]:
    """(text, label, every acceptable label): `also:` in the file names equally good answers."""
    topics = yaml.safe_load(HELDOUT_TOPICS.read_text())["messages"]
    small = yaml.safe_load(HELDOUT_SMALL_TALK.read_text())["messages"]
    rows = [(m["text"], m["topic"], frozenset([m["topic"], *m.get("also", [])])) for m in topics]
    return rows + [(m["text"], m["intent"], frozenset([m["intent"]])) for m in small]


def credited(truth: list[str], predicted: list[str], acceptable: list[frozenset[str]]) -> list[str]:
    """Predictions, with an acceptable alternative scored as the labelled answer."""
    return [t if p in ok else p for t, p, ok in zip(truth, predicted, acceptable)]


def label_of(parse: dict[str, Any]) -> str:
    intent = (parse.get("intent") or {}).get("name") or "nlu_fallback"
    return topic_of_intent(intent) or intent


async def predict(agent: Any, texts: list[str]) -> list[str]:
    return [label_of(await agent.parse_message(text)) for text in texts]


def baseline_predict(train: list[tuple[str, str]], texts: list[str]) -> list[str]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    model = make_pipeline(
        make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
        ),
        LogisticRegression(max_iter=2000, C=10),
    )
    model.fit([t for t, _ in train], [label for _, label in train])
    return list(model.predict(texts))


def main() -> int:
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    from bot.logging_setup import configure_logging, quiet_ml_environment
    from bot.training import latest_model

    quiet_ml_environment(str(REPO / "var"))
    configure_logging("WARNING")
    from rasa.core.agent import Agent

    data = heldout_with_alternatives()
    texts, truth = [t for t, _, _ in data], [label for _, label, _ in data]
    acceptable = [ok for _, _, ok in data]
    agent = Agent.load(str(latest_model(REPO / "rasa_project", REPO / "rasa_project" / "models")))
    predicted = credited(truth, asyncio.run(predict(agent, texts)), acceptable)
    baseline = credited(truth, baseline_predict(training_examples(NLU_DIR), texts), acceptable)

    labels = sorted(set(truth))
    p, r, f, n = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    print(f"{'label':28} {'prec':>5} {'rec':>5} {'f1':>5} {'n':>3}")
    for i, label in enumerate(labels):
        print(f"{label:28} {p[i]:5.2f} {r[i]:5.2f} {f[i]:5.2f} {n[i]:3d}")
    confusions = Counter((t, q) for t, q in zip(truth, predicted) if t != q)
    print("\nworst confusions (truth -> predicted: count):")
    for (t, q), count in confusions.most_common(12):
        print(f"  {t} -> {q}: {count}")
    accuracy = sum(t == q for t, q in zip(truth, predicted)) / len(truth)
    base_accuracy = sum(t == q for t, q in zip(truth, baseline)) / len(truth)
    macro = f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)
    base_macro = f1_score(truth, baseline, labels=labels, average="macro", zero_division=0)
    print(f"\nheld-out messages: {len(truth)}; labels: {len(labels)}")
    print(f"accuracy: carebot {accuracy:.3f}  baseline {base_accuracy:.3f}")
    print(f"macro F1 ratio carebot/baseline: {macro / base_macro:.3f}")
    print(f"macro_f1={macro:.3f} baseline_macro_f1={base_macro:.3f}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())

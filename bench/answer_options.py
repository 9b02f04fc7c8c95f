"""Compare ways of choosing an answer, offline, on the DEVELOPMENT half of the real questions.

For every development-half question of ``bench/data/real_questions/`` this renders each
answer in ``content/topics/`` for the question's audience and notes which would pass (hold
every required word group). Then it asks each option for its first choice and counts how often
that choice would pass. No dialogue, no audience guessing: it compares rankings only
(``docs/knowledge.md`` has the table). Needs a trained model (`carebot train`).

    .venv/bin/python -m bench.answer_options
"""

from __future__ import annotations

import asyncio
import sys
import warnings
from collections.abc import Callable

import numpy as np

from bench.eval_answers import DATA, Question, load_questions, passes
from bot.config import REPO_ROOT
from bot.knowledge.content import Content
from bot.knowledge.topics import AUDIENCES, TopicLibrary, topic_of_intent


def main() -> int:
    warnings.simplefilter("ignore")
    from sklearn.feature_extraction.text import TfidfVectorizer

    from bot.logging_setup import configure_logging
    from bot.nlu.minilm import shared_encoder
    from bot.training import latest_model

    configure_logging("WARNING")
    library = TopicLibrary(REPO_ROOT / "content" / "topics")
    content = Content(REPO_ROOT / "content", "demoshire")
    questions = [q for q in load_questions(sorted(DATA.glob("*.yml"))) if q.half == "dev"]
    rendered = {t.id: {a: content.fill(t.answer_for(a)) for a in AUDIENCES}
                for t in library.topics.values()}
    could = {q.id: {t for t in rendered if passes(rendered[t][q.audience], q.must_contain)}
             for q in questions}

    topics = sorted(library.topics)
    index = {t: i for i, t in enumerate(topics)}
    examples = [(x, index[t.id]) for t in library.topics.values() for x in t.questions]
    owner = np.array([i for _, i in examples])
    encoder = shared_encoder()
    example_vectors = encoder.encode([x for x, _ in examples])
    question_vectors = encoder.encode([q.text for q in questions])
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    example_chars = chars.fit_transform([x for x, _ in examples])

    def per_topic(similarities: np.ndarray) -> np.ndarray:
        scores = np.full(len(topics), -1.0)
        np.maximum.at(scores, owner, similarities)
        return scores

    def nearest(vector: np.ndarray) -> np.ndarray:
        return per_topic(example_vectors @ vector)

    def nearest_chars(text: str) -> np.ndarray:
        return per_topic((example_chars @ chars.transform([text]).T).toarray().ravel())

    def mean_of_three(vector: np.ndarray) -> np.ndarray:
        similarities = example_vectors @ vector
        return np.array([np.sort(similarities[owner == i])[-3:].mean()
                         for i in range(len(topics))])

    from rasa.core.agent import Agent

    agent = Agent.load(str(latest_model(REPO_ROOT / "rasa_project",
                                        REPO_ROOT / "rasa_project" / "models")))

    async def parse_all() -> list[dict]:
        return [await agent.parse_message(q.text) for q in questions]

    parses = asyncio.run(parse_all())

    def classifier(parse: dict) -> np.ndarray:
        scores = np.zeros(len(topics))
        for item in parse.get("intent_ranking") or []:
            topic = topic_of_intent(item.get("name"))
            if topic in index:
                scores[index[topic]] = item["confidence"]
        return scores

    options: dict[str, Callable[[int, Question], np.ndarray]] = {
        "the model as trained (first choice)": lambda i, q: classifier(parses[i]),
        "MiniLM nearest example": lambda i, q: nearest(question_vectors[i]),
        "TF-IDF character nearest example": lambda i, q: nearest_chars(q.text),
        "MiniLM nearest + 0.5 x TF-IDF nearest": lambda i, q: (
            nearest(question_vectors[i]) + 0.5 * nearest_chars(q.text)),
        "MiniLM mean of three nearest": lambda i, q: mean_of_three(question_vectors[i]),
    }
    print(f"{len(questions)} development-half questions; some answer could pass for "
          f"{sum(bool(c) for c in could.values())}")
    for name, score in options.items():
        chosen = [topics[int(np.argmax(score(i, q)))] for i, q in enumerate(questions)]
        hits = sum(t in could[q.id] for q, t in zip(questions, chosen))
        print(f"  {name:44} {hits:4}/{len(questions)} = {hits / len(questions):.1%}")
    top3 = sum(any(topics[j] in could[q.id] for j in np.argsort(-classifier(parses[i]))[:3])
               for i, q in enumerate(questions))
    print(f"  {'any of the model first three':44} {top3:4}/{len(questions)} = "
          f"{top3 / len(questions):.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

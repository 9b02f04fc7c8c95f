"""Topics found by retrieval over their example questions, for a knowledge base with a long tail.

A classifier over 190+ topics with ten or so examples each spreads its probability thin: on the
development half of the real-question set its first choice held a passing answer for 29% of
questions, and its top confidence was under the "not sure" line for most long messages. This
component, placed after the intent classifier, scores each topic by

    score(topic) = max cosine(message, topic's example questions)  +  classifier probability

(sentence embeddings from the MiniLM featurizer; the classifier's probability is its share of
the ranking, zero outside its top ten). On the same development half the first choice then
held a passing answer for 47% (``docs/knowledge.md`` has the options tried and their numbers).
Dialogue acts (greet, consultation, commands, audience, concern...) stay with the classifier:
when it is at least ``keep_dialogue_act`` sure of one, nothing changes. The two "not a
question for me" intents (``everyday_story``, ``out_of_scope``) are the exception: a parent's
long story before their question reads like an everyday story to the classifier, so when some
topic's example question is at least ``topic_beats_small_talk`` similar, the topic is
answered (on the development halves, in-scope questions' nearest example had a similarity of
0.57 or more for 95% of them; everyday look-alikes 0.49 or less for 90%).

Long messages (a story, then a question or two) are split into sentences. The topic comes from
the whole message; each question sentence that points clearly at another topic is added as an
``also_asked`` entity, so the answer can offer it as a button.

Confidence for Rasa's FallbackClassifier: ``score - confidence_offset``, capped at 1, so "not
sure" means a combined score under ``threshold + offset`` (where first choices were right about
one time in six on the development half).
"""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.minilm import shared_encoder

log = logging.getLogger(__name__)
TOPIC_PREFIX = "faq_"
ALSO_ASKED = "also_asked"
_QUESTION_START = re.compile(
    r"^(can|could|do|does|did|will|would|should|is|am|are|was|what|whats|what's|how|who|"
    r"when|where|why|which|have|has|if)\b", re.IGNORECASE)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class TopicRetriever(IntentClassifier, GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "classifier_weight": 1.0,  # how much the classifier's probability adds
            "keep_dialogue_act": 0.5,  # a dialogue act this likely is left alone
            "small_talk": ["everyday_story", "out_of_scope"],  # ...except these two, when
            "topic_beats_small_talk": 0.55,  # a topic's example is at least this similar
            "confidence_offset": 0.4,  # score - offset = confidence for the fallback
            "ranking_length": 10,
            "long_message_chars": 160,  # longer messages are read sentence by sentence
            "also_asked_min_similarity": 0.6,  # a question sentence this close to a topic
            "max_also_asked": 2,
        }

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage,
                 resource: Resource) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.embeddings: np.ndarray | None = None  # (examples, 384), unit rows
        self.example_topic: np.ndarray | None = None  # (examples,) index into self.topics
        self.topics: list[str] = []
        self._sentencizer: Any = None

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> TopicRetriever:
        return cls(config, model_storage, resource)

    # -- training -----------------------------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        rows, labels = [], []
        for example in training_data.intent_examples:
            intent = example.get(INTENT) or ""
            vector = _sentence_vector(example)
            if intent.startswith(TOPIC_PREFIX) and vector is not None:
                rows.append(vector)
                labels.append(intent)
        self.topics = sorted(set(labels))
        index = {t: i for i, t in enumerate(self.topics)}
        self.embeddings = _unit_rows(np.vstack(rows)) if rows else np.zeros((0, 384), np.float32)
        self.example_topic = np.array([index[t] for t in labels], dtype=np.int32)
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._model_storage.write_to(self._resource) as model_dir:
            np.savez(model_dir / "topic_examples.npz", embeddings=self.embeddings,
                     example_topic=self.example_topic, topics=np.array(self.topics))

    @classmethod
    def load(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> TopicRetriever:
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as model_dir:
                data = np.load(model_dir / "topic_examples.npz", allow_pickle=False)
                component.embeddings = data["embeddings"]
                component.example_topic = data["example_topic"]
                component.topics = [str(t) for t in data["topics"]]
        except (ValueError, FileNotFoundError):
            log.warning("topic retriever not found in the model; train again")
        return component

    # -- understanding ------------------------------------------------------------------------

    def process(self, messages: list[Message]) -> list[Message]:
        if self.embeddings is None or not len(self.embeddings):
            return messages
        for message in messages:
            vector = _sentence_vector(message)
            if vector is not None:
                self._rank(message, _unit_rows(vector[np.newaxis, :])[0])
        return messages

    def topic_scores(self, vector: np.ndarray) -> np.ndarray:
        """Per topic: the cosine similarity of its closest example question to ``vector``."""
        assert self.embeddings is not None and self.example_topic is not None
        scores = np.full(len(self.topics), -1.0, dtype=np.float32)
        np.maximum.at(scores, self.example_topic, self.embeddings @ vector)
        return scores

    def _rank(self, message: Message, vector: np.ndarray) -> None:
        ranking = message.get("intent_ranking") or []
        top = ranking[0] if ranking else {}
        name = str(top.get("name", ""))
        dialogue_act = (not name.startswith(TOPIC_PREFIX)
                        and (top.get("confidence") or 0.0) >= self.config["keep_dialogue_act"])
        if dialogue_act and name not in self.config["small_talk"]:
            return
        similarity = self.topic_scores(vector)
        if dialogue_act and similarity.max() < self.config["topic_beats_small_talk"]:
            return
        classifier = np.zeros(len(self.topics), dtype=np.float32)
        others = []
        index = {t: i for i, t in enumerate(self.topics)}
        for item in ranking:
            if item.get("name") in index:
                classifier[index[item["name"]]] = item.get("confidence") or 0.0
            elif item.get("name") not in self.config["small_talk"] or not dialogue_act:
                others.append(item)  # dialogue acts, concern: their probability as it was
        scores = similarity + self.config["classifier_weight"] * classifier
        best = np.argsort(-scores)[: self.config["ranking_length"]]
        offset = self.config["confidence_offset"]
        topics = [{"name": self.topics[i],
                   "confidence": float(min(1.0, max(0.0, scores[i] - offset)))} for i in best]
        # Every dialogue act the classifier ranked stays in the ranking (the `concern` intent
        # counts anywhere in it), beside the best topics.
        new_ranking = sorted(topics + others, key=lambda r: -r["confidence"])
        message.set(INTENT, new_ranking[0], add_to_output=True)
        message.set("intent_ranking", new_ranking, add_to_output=True)
        text = message.get(TEXT) or ""
        if len(text) >= self.config["long_message_chars"]:
            self._add_also_asked(message, text, self.topics[int(best[0])])

    def _add_also_asked(self, message: Message, text: str, main: str) -> None:
        """Other questions in a long message, each as an ``also_asked`` entity (a topic)."""
        spans = [s for s in self._sentences(text) if _is_question(s[2])]
        if len(spans) < 1:
            return
        vectors = shared_encoder().encode([s[2] for s in spans])
        found: list[dict[str, Any]] = []
        seen = {main}
        for (start, end, _), vector in zip(spans, vectors):
            scores = self.topic_scores(vector)
            best = int(np.argmax(scores))
            topic = self.topics[best]
            if scores[best] >= self.config["also_asked_min_similarity"] and topic not in seen:
                seen.add(topic)
                found.append({"entity": ALSO_ASKED, "value": topic, "start": start, "end": end,
                              "confidence": float(scores[best]), "extractor": "TopicRetriever"})
        if found:
            entities = list(message.get(ENTITIES) or [])
            entities += found[: self.config["max_also_asked"]]
            message.set(ENTITIES, entities, add_to_output=True)

    def _sentences(self, text: str) -> list[tuple[int, int, str]]:
        if self._sentencizer is None:
            import spacy

            self._sentencizer = spacy.blank("en")
            self._sentencizer.add_pipe("sentencizer")
        return [(s.start_char, s.end_char, s.text.strip())
                for s in self._sentencizer(text).sents if len(s.text.strip()) > 3]


def _is_question(sentence: str) -> bool:
    return sentence.endswith("?") or bool(_QUESTION_START.match(sentence))


def _sentence_vector(message: Message) -> np.ndarray | None:
    _, sentence = message.get_dense_features(attribute=TEXT)
    if sentence is None:
        return None
    return np.asarray(sentence.features, dtype=np.float32).reshape(-1)


def _unit_rows(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.where(norms == 0, 1, norms)).astype(np.float32)

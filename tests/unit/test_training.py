import shutil
from pathlib import Path

import pytest

from bot.config import REPO_ROOT
from bot.training import TrainingInputs, latest_model, model_path_for


@pytest.fixture
def project(tmp_path: Path) -> Path:
    target = tmp_path / "rasa_project"
    for name in ("config.yml", "domain", "data", "components"):
        source = REPO_ROOT / "rasa_project" / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            target.mkdir(exist_ok=True)
            shutil.copy(source, target / name)
    return target


def test_unchanged_data_has_the_same_hash(project: Path) -> None:
    inputs = TrainingInputs.of_project(project)
    assert inputs.content_hash() == TrainingInputs.of_project(project).content_hash()


def test_changing_training_data_changes_the_hash(project: Path) -> None:
    before = TrainingInputs.of_project(project).content_hash()
    nlu = next((project / "data" / "nlu").glob("*.yml"))
    nlu.write_text(nlu.read_text() + "\n      - one more example\n")
    assert TrainingInputs.of_project(project).content_hash() != before


def test_changing_config_changes_the_hash(project: Path) -> None:
    before = TrainingInputs.of_project(project).content_hash()
    (project / "config.yml").write_text((project / "config.yml").read_text() + "\n# note\n")
    assert TrainingInputs.of_project(project).content_hash() != before


def test_serving_without_a_trained_model_says_what_to_do(project: Path, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="carebot train"):
        latest_model(project, tmp_path / "models")


def test_the_model_is_named_after_its_data(project: Path, tmp_path: Path) -> None:
    inputs = TrainingInputs.of_project(project)
    assert inputs.content_hash() in model_path_for(inputs, tmp_path).name


def test_changing_a_pipeline_component_changes_the_hash(project: Path) -> None:
    before = TrainingInputs.of_project(project).content_hash()
    component = next((project / "components").glob("*.py"))
    component.write_text(component.read_text() + "\n# changed\n")
    assert TrainingInputs.of_project(project).content_hash() != before

import pytest

from db.encryption import DataKeyError, DataKeys, load_data_keys, new_key_spec


def test_text_round_trips_and_is_not_stored_in_clear() -> None:
    keys = DataKeys.parse(new_key_spec("k1"))
    sealed = keys.encrypt("my foster carer is kind")
    assert "foster" not in sealed
    assert sealed.startswith("v1:k1:")
    assert keys.decrypt(sealed) == "my foster carer is kind"


def test_the_same_text_seals_differently_each_time() -> None:
    keys = DataKeys.parse(new_key_spec())
    assert keys.encrypt("same") != keys.encrypt("same")


def test_old_values_still_open_after_a_key_rotation() -> None:
    old = new_key_spec("old")
    sealed = DataKeys.parse(old).encrypt("before rotation")
    rotated = DataKeys.parse(f"{new_key_spec('new')},{old}")
    assert rotated.active_id == "new"
    assert rotated.decrypt(sealed) == "before rotation"
    assert rotated.encrypt("after").startswith("v1:new:")


def test_a_tampered_value_is_refused() -> None:
    keys = DataKeys.parse(new_key_spec())
    sealed = keys.encrypt("answer")
    tampered = sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB")
    with pytest.raises(Exception):  # noqa: B017 - cryptography raises InvalidTag or a decode error
        keys.decrypt(tampered)


def test_user_keys_are_stable_pseudonyms_per_channel() -> None:
    keys = DataKeys.parse(new_key_spec())
    assert keys.user_key("telegram", "123") == keys.user_key("telegram", "123")
    assert keys.user_key("telegram", "123") != keys.user_key("web", "123")
    assert "123" not in keys.user_key("telegram", "123")


@pytest.mark.parametrize("spec", ["", "nokey", "k1:not-base64!!", "k1:c2hvcnQ"])
def test_malformed_keys_are_a_clear_error(spec: str) -> None:
    with pytest.raises(DataKeyError):
        DataKeys.parse(spec)


def test_starting_without_a_key_outside_demo_mode_is_an_error(tmp_path) -> None:
    with pytest.raises(DataKeyError, match="CAREBOT_DATA_KEY is not set"):
        load_data_keys({}, demo_mode=False, data_dir=tmp_path)


def test_demo_mode_generates_a_key_once_and_says_so(tmp_path) -> None:
    first, said = load_data_keys({}, demo_mode=True, data_dir=tmp_path)
    second, _ = load_data_keys({}, demo_mode=True, data_dir=tmp_path)
    assert "DEMO MODE" in said
    assert second.decrypt(first.encrypt("kept")) == "kept"

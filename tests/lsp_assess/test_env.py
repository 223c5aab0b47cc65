import pytest
from django.core.exceptions import ImproperlyConfigured

from lsp_assess.env import env_bool, env_int, env_list, env_str


@pytest.mark.parametrize("raw", ["1", "true", "True", " yes ", "ON"])
def test_env_bool_reads_true(raw):
    assert env_bool("DEBUG", False, environ={"DEBUG": raw}) is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "off", ""])
def test_env_bool_reads_false(raw):
    assert env_bool("DEBUG", True, environ={"DEBUG": raw}) is False


def test_env_bool_refuses_a_typo():
    with pytest.raises(ImproperlyConfigured, match="DEBUG='ture' is not a boolean"):
        env_bool("DEBUG", False, environ={"DEBUG": "ture"})


def test_env_bool_uses_the_default_when_unset():
    assert env_bool("DEBUG", True, environ={}) is True


def test_env_int_reads_and_checks_the_minimum():
    assert env_int("PORT", 1, environ={"PORT": " 587 "}) == 587
    assert env_int("PORT", 25, environ={}) == 25
    with pytest.raises(ImproperlyConfigured, match="'five' is not a whole number"):
        env_int("PORT", 1, environ={"PORT": "five"})
    with pytest.raises(ImproperlyConfigured, match="below the minimum of 0"):
        env_int("CONN_MAX_AGE", 1, minimum=0, environ={"CONN_MAX_AGE": "-1"})


def test_env_str_requires_a_value_without_a_default():
    assert env_str("SECRET_KEY", "dev", environ={}) == "dev"
    assert env_str("SECRET_KEY", environ={"SECRET_KEY": "s3cret"}) == "s3cret"
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is required"):
        env_str("SECRET_KEY", environ={})


def test_env_list_splits_on_commas_and_drops_blanks():
    assert env_list("HOSTS", [], environ={"HOSTS": "a.example, b.example,,"}) == [
        "a.example",
        "b.example",
    ]
    assert env_list("HOSTS", ["x"], environ={}) == ["x"]

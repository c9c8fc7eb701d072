"""Rules and capabilities files: what loads, and every refusal naming the file, the key and the reason."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from docexchange.errors import DocexchangeError, ReasonCode
from docexchange.routing import (
    DEFAULT_GOVERNMENT_RECIPIENTS,
    DEFAULT_PREFERENCE,
    DEFAULT_RETRY_DELAYS,
    Capabilities,
    Channel,
    RouteReason,
    RoutingRules,
    RulesFileError,
    load_capabilities,
    load_rules,
)

RULES_DIR = Path(__file__).resolve().parents[2] / "simulations" / "rules"
BTC = "000.00.00.G12"


def write(tmp_path: Path, text: str, name: str = "rules.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path, *, capabilities: bool = False) -> RulesFileError:
    with pytest.raises(RulesFileError) as caught:
        (load_capabilities if capabilities else load_rules)(path)
    error = caught.value
    assert isinstance(error, DocexchangeError)
    assert error.code is ReasonCode.INVALID_RULES
    assert str(path) in error.message
    assert "\n" not in str(error)
    return error


@pytest.mark.parametrize("path", sorted(RULES_DIR.glob("*.toml")), ids=lambda p: p.name)
def test_every_shipped_rules_file_loads(path: Path) -> None:
    assert isinstance(load_rules(path), RoutingRules)


def test_the_shipped_default_is_the_built_in_default() -> None:
    assert load_rules(RULES_DIR / "default.toml") == RoutingRules()


def test_the_shipped_capabilities_example_loads() -> None:
    table = load_capabilities(RULES_DIR / "capabilities" / "example.toml")
    assert table.of("000.00.00.H38") == Capabilities(axis=False)
    assert table.of("000.00.00.G01") == Capabilities()


def test_a_full_file_loads(tmp_path: Path) -> None:
    rules = load_rules(
        write(
            tmp_path,
            """
[routing]
preference = ["mail", "axis"]
retry_seconds = [10, 60.5]
government_recipients = ["000.00.00.G22", "000.00.01.G22"]
[routing.paper_types]
"000.00.00.G12" = ["QD", "Nghị quyết", "CV"]
""",
        )
    )
    assert rules.preference == (Channel.MAIL, Channel.AXIS)
    assert rules.retry_delays == (timedelta(seconds=10), timedelta(seconds=60.5))
    assert rules.government_recipients == ("000.00.00.G22", "000.00.01.G22")
    assert rules.paper_types == {BTC: frozenset({"QĐ", "NQ", "CV"})}


def test_left_out_keys_take_the_defaults(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, "[routing]\n"))
    assert rules.preference == DEFAULT_PREFERENCE
    assert rules.retry_delays == DEFAULT_RETRY_DELAYS
    assert rules.government_recipients == DEFAULT_GOVERNMENT_RECIPIENTS
    assert dict(rules.paper_types) == {}


def test_the_preference_order_from_toml_decides_the_channel(tmp_path: Path) -> None:
    from docexchange.routing import DocumentTraits

    rules = load_rules(write(tmp_path, '[routing]\npreference = ["mail", "axis"]\n'))
    d = rules.decide(DocumentTraits("id", BTC, "TB"), "000.00.00.H38")
    assert (d.channel, d.reason) == (Channel.MAIL, RouteReason.PREFERRED_MAIL)


def test_an_empty_retry_list_and_an_empty_government_list_are_allowed(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, "[routing]\nretry_seconds = []\ngovernment_recipients = []\n"))
    assert (rules.retry_delays, rules.government_recipients) == ((), ())


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        # unknown keys
        ("[routing]\nprefrence = ['axis']\n", "routing.prefrence", "unknown key"),
        ("[routing]\n[other]\nx = 1\n", "other", "unknown key"),
        ("[routing.paper_types]\n[routing.extra]\n", "routing.extra", "unknown key"),
        (
            "[routing]\nrecipient_certificate = 'yes'\n",
            "routing.recipient_certificate",
            "must be true or false, not str",
        ),
        ("", "routing", "missing"),
        # wrong types
        ("routing = 1\n", "routing", "must be a table, not an integer"),
        ("[routing]\npreference = 'axis'\n", "routing.preference", "must be a list of strings, not a string"),
        (
            "[routing]\npreference = ['axis', 2]\n",
            "routing.preference[1]",
            "must be a string, not an integer",
        ),
        ("[routing]\nretry_seconds = 30\n", "routing.retry_seconds", "must be a list of seconds"),
        ("[routing]\nretry_seconds = [30, '120']\n", "routing.retry_seconds[1]", "not a string"),
        ("[routing]\nretry_seconds = [true]\n", "routing.retry_seconds[0]", "not a boolean"),
        ("[routing]\ngovernment_recipients = '000.00.00.G22'\n", "routing.government_recipients", "list"),
        ("[routing]\npaper_types = ['QĐ']\n", "routing.paper_types", "must be a table, not a list"),
        (
            "[routing.paper_types]\n'000.00.00.G12' = 'QĐ'\n",
            'routing.paper_types."000.00.00.G12"',
            "must be a list of strings",
        ),
        # impossible values
        (
            "[routing]\nretry_seconds = [30, -1]\n",
            "routing.retry_seconds[1]",
            "positive number of seconds, got -1",
        ),
        ("[routing]\nretry_seconds = [0]\n", "routing.retry_seconds[0]", "positive number of seconds, got 0"),
        ("[routing]\nretry_seconds = [nan]\n", "routing.retry_seconds[0]", "finite"),
        ("[routing]\nretry_seconds = [inf]\n", "routing.retry_seconds[0]", "finite"),
        ("[routing]\npreference = ['axis', 'fax']\n", "routing.preference[1]", "unknown channel 'fax'"),
        ("[routing]\npreference = ['axis', 'paper']\n", "routing.preference[1]", "last resort"),
        ("[routing]\npreference = ['mail', 'mail']\n", "routing.preference[1]", "listed twice"),
        ("[routing]\npreference = []\n", "routing.preference", "lists no channel"),
        (
            "[routing]\ngovernment_recipients = ['G22']\n",
            "routing.government_recipients[0]",
            "malformed agency identifier",
        ),
        (
            "[routing.paper_types]\n'BTC' = ['QĐ']\n",
            'routing.paper_types."BTC"',
            "malformed agency identifier",
        ),
        (
            "[routing.paper_types]\n'000.00.00.G12' = ['QĐ', 'XX']\n",
            'routing.paper_types."000.00.00.G12"[1]',
            "unknown document type 'XX'",
        ),
    ],
)
def test_a_bad_rules_file_is_refused_naming_the_key(tmp_path: Path, text: str, key: str, reason: str) -> None:
    error = refused(write(tmp_path, text))
    assert error.key == key
    assert f": {key}: " in error.message
    assert reason in error.reason


def test_a_toml_syntax_error_is_refused(tmp_path: Path) -> None:
    error = refused(write(tmp_path, "[routing\n"))
    assert "TOML syntax error" in error.message


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    error = refused(tmp_path / "absent.toml")
    assert "cannot read file" in error.message


def test_capabilities_default_table_and_partial_entries(tmp_path: Path) -> None:
    table = load_capabilities(
        write(
            tmp_path,
            """
[default]
axis = false
[capabilities."000.00.00.H38"]
mail = false
[capabilities."000.00.00.H15"]
axis = true
""",
            "caps.toml",
        )
    )
    assert table.of("000.00.00.G01") == Capabilities(axis=False)
    assert table.of("000.00.00.H38") == Capabilities(axis=False, mail=False)
    assert table.of("000.00.00.H15") == Capabilities()


def test_an_empty_capabilities_file_gives_everyone_everything(tmp_path: Path) -> None:
    assert load_capabilities(write(tmp_path, "", "caps.toml")).of("000.00.00.H38") == Capabilities()


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ("[capabilities.'000.00.00.H38']\nfax = true\n", 'capabilities."000.00.00.H38".fax', "unknown key"),
        ("[agencies]\n", "agencies", "unknown key"),
        (
            "[capabilities.'000.00.00.H38']\naxis = 'no'\n",
            'capabilities."000.00.00.H38".axis',
            "true or false",
        ),
        ("[capabilities.'000.00.00.H38']\naxis = 0\n", 'capabilities."000.00.00.H38".axis', "true or false"),
        ("[capabilities.'H38']\naxis = false\n", 'capabilities."H38"', "malformed agency identifier"),
        ("[default]\ncertificate = 1\n", "default.certificate", "not an integer"),
        ("capabilities = 3\n", "capabilities", "must be a table"),
    ],
)
def test_a_bad_capabilities_file_is_refused_naming_the_key(
    tmp_path: Path, text: str, key: str, reason: str
) -> None:
    error = refused(write(tmp_path, text, "caps.toml"), capabilities=True)
    assert error.key == key
    assert reason in error.reason

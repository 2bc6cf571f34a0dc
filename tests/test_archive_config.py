"""LEDGER_ARCHIVE_*: what is set replaces the development placeholders for every municipality,
what is not set keeps the defaults declared once in archive.settings; bad values are refused."""

from __future__ import annotations

import pytest

from app.settings import Settings
from store.config import ConfigError

KEYS = {"LEDGER_MASTER_KEY": "11" * 32, "LEDGER_SIGNING_KEY": "22" * 32, "LEDGER_JWT_SECRET": "x" * 40}


def test_set_values_replace_the_placeholders_for_each_municipality() -> None:
    settings = Settings.from_env({**KEYS, "LEDGER_ARCHIVE_CLASS_ID": "F47", "LEDGER_ARCHIVE_UNIT": "Helsehuset"})
    selbu, oslo = settings.archive.for_municipality("5032"), settings.archive.for_municipality("0301")
    assert (selbu.municipality, oslo.municipality) == ("5032", "0301")
    assert selbu.class_id == oslo.class_id == "F47" and selbu.responsible_unit == "Helsehuset"
    assert selbu.classification_system == "K-kode" and selbu.access_code == "13"  # unset: the defaults


def test_nothing_set_gives_the_development_placeholders() -> None:
    archive = Settings.from_env(KEYS).archive.for_municipality("3447")
    assert (archive.class_id, archive.class_title) == ("G12", "Koordinering og individuell plan")


@pytest.mark.parametrize(
    ("name", "value"),
    [("LEDGER_ARCHIVE_CLASS_ID", ""), ("LEDGER_ARCHIVE_UNIT", "a\nb"), ("LEDGER_ARCHIVE_SYSTEM", "ledger system")],
)
def test_a_bad_value_is_refused_naming_the_setting(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({**KEYS, name: value})

"""Settings of notification delivery (notify/settings.py), read from an environment mapping."""

from __future__ import annotations

import pytest

from audit.duties import AssigneeKind, ReminderRule
from notify.settings import NotifySettings
from store.config import ConfigError


def test_nothing_set_means_no_e_mail_a_local_link_and_the_shipped_reminder_rules():
    s = NotifySettings.from_env({})
    assert s.smtp is None
    assert s.case_link("abc") == "http://localhost:8000/saker/abc"
    assert (s.webhooks.max_attempts, s.webhooks.timeout) == (8, 10.0)
    assert s.reminder_rules.rule_for("selbu", AssigneeKind.COORDINATOR) == ReminderRule((7, 1), True)


def test_smtp_settings_are_read_with_their_defaults():
    s = NotifySettings.from_env(
        {
            "LEDGER_SMTP_HOST": "smtp.kommune.no",
            "LEDGER_SMTP_USER": "varsel",
            "LEDGER_SMTP_PASSWORD": "hemmelig",
            "LEDGER_SMTP_FROM": "varsel@kommune.no",
            "LEDGER_PUBLIC_URL": "https://ledger.kommune.no/",
        }
    )
    assert s.smtp is not None
    assert (s.smtp.host, s.smtp.port, s.smtp.starttls, s.smtp.user) == ("smtp.kommune.no", 587, True, "varsel")
    assert "hemmelig" not in repr(s)
    assert s.overview_link() == "https://ledger.kommune.no/oversikt"


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"LEDGER_SMTP_HOST": "smtp.kommune.no", "LEDGER_SMTP_USER": "varsel"}, "together"),
        (
            {
                "LEDGER_SMTP_HOST": "smtp.kommune.no",
                "LEDGER_SMTP_STARTTLS": "false",
                "LEDGER_SMTP_USER": "u",
                "LEDGER_SMTP_PASSWORD": "p",
            },
            "in clear",
        ),
        ({"LEDGER_SMTP_HOST": "smtp.kommune.no", "LEDGER_SMTP_STARTTLS": "kanskje"}, "true or false"),
        ({"LEDGER_SMTP_HOST": "smtp.kommune.no", "LEDGER_SMTP_PORT": "0"}, "between"),
        ({"LEDGER_SMTP_HOST": "smtp.kommune.no", "LEDGER_SMTP_FROM": "Varsel <v@k.no>"}, "plain address"),
        ({"LEDGER_SMTP_HOST": "smtp.kommune.no", "LEDGER_SMTP_CA_FILE": "/nowhere/ca.pem"}, "not a file"),
        ({"LEDGER_ENV": "production"}, "LEDGER_PUBLIC_URL is required"),
        ({"LEDGER_ENV": "production", "LEDGER_PUBLIC_URL": "http://ledger.kommune.no"}, "https"),
        ({"LEDGER_PUBLIC_URL": "ledger.kommune.no"}, "http"),
        ({"LEDGER_WEBHOOK_MAX_ATTEMPTS": "2.5"}, "whole number"),
        ({"LEDGER_WEBHOOK_TIMEOUT": "0"}, "between"),
        ({"LEDGER_REMINDER_RULES": "/nowhere/rules.toml"}, "cannot be read"),
    ],
)
def test_settings_that_do_not_make_sense_are_refused_by_name(env, says):
    with pytest.raises(ConfigError, match=says):
        NotifySettings.from_env(env)


def test_credentials_to_a_local_relay_may_go_without_starttls():
    env = {"LEDGER_SMTP_HOST": "127.0.0.1", "LEDGER_SMTP_STARTTLS": "false", "LEDGER_SMTP_USER": "u"}
    s = NotifySettings.from_env({**env, "LEDGER_SMTP_PASSWORD": "p"})
    assert s.smtp is not None and not s.smtp.starttls


def test_a_reminder_rules_file_is_read_over_the_shipped_rules(tmp_path):
    path = tmp_path / "paminnelser.toml"
    path.write_text("[selbu]\ndays_before = [14, 3]\n", encoding="utf-8")
    s = NotifySettings.from_env({"LEDGER_REMINDER_RULES": str(path)})
    assert s.reminder_rules.rule_for("selbu", AssigneeKind.COORDINATOR) == ReminderRule((14, 3), True)
    assert s.reminder_rules.rule_for("sunnfjord", AssigneeKind.COORDINATOR) == ReminderRule((7, 1), True)
    path.write_text("[selbu]\ndays_before = 'fjorten'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="paminnelser.toml.*whole days"):
        NotifySettings.from_env({"LEDGER_REMINDER_RULES": str(path)})


def test_in_production_only_the_process_that_delivers_needs_the_public_url(tmp_path):
    """The API starts without LEDGER_PUBLIC_URL; `ledger notify` refuses to send links to a placeholder."""
    from app.settings import Settings

    env = {
        "LEDGER_DATABASE_URL": f"sqlite:///{tmp_path}/ledger.db",
        "LEDGER_ENV": "production",
        "LEDGER_MASTER_KEY": "11" * 32,
        "LEDGER_SIGNING_KEY": "22" * 32,
        "LEDGER_JWT_SECRET": "s" * 40,
        "LEDGER_MUNICIPALITIES": "3447",
    }
    settings = Settings.from_env(env)
    assert settings.notify.public_url == ""
    with pytest.raises(ConfigError, match="LEDGER_PUBLIC_URL is required"):
        settings.notify.require_links()
    given = Settings.from_env({**env, "LEDGER_PUBLIC_URL": "https://ledger.kommune.no"})
    given.notify.require_links()
    assert given.notify.case_link("c") == "https://ledger.kommune.no/saker/c"

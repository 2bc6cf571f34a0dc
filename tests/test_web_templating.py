"""The pages' Jinja environment reads a dict row's field first (web/templating.py), and answers
exactly as Jinja does: a dict's own methods stay methods, a missing field stays undefined."""

from __future__ import annotations

from dataclasses import dataclass

import jinja2
import pytest

from web.templating import PageEnvironment


def render(source: str, **context: object) -> str:
    env = PageEnvironment(undefined=jinja2.StrictUndefined, autoescape=True)
    return env.from_string(source).render(**context)


def test_a_dict_rows_fields_are_read_as_jinja_reads_them() -> None:
    row = {"when": "1. mai 2026", "items": ["a", "b"], "x": "<b>"}
    assert render("{{ r.when }} {{ r.x }}", r=row) == "1. mai 2026 &lt;b&gt;"
    # `items` is a method of every dict: Jinja gives the method, and so does this environment.
    assert render("{% for k, v in r.items() %}{{ k }};{% endfor %}", r={"a": 1, "items": 2}) == "a;items;"
    assert render("{{ r.get('when') }}", r=row) == "1. mai 2026"


def test_a_missing_field_is_undefined_as_before() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render("{{ r.nothing }}", r={"when": "i dag"})
    assert render("{{ 'ja' if r.nothing is defined else 'nei' }}", r={}) == "nei"


def test_objects_and_dict_subclasses_are_read_as_before() -> None:
    @dataclass
    class Row:
        when: str

    class Counting(dict[str, str]):
        when = "attributtet"

    assert render("{{ r.when }}", r=Row("i går")) == "i går"
    assert render("{{ r.when }}", r=Counting(when="feltet")) == "attributtet"  # the attribute first, as Jinja does

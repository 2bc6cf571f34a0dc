"""A worked case of SCENARIOS.md told through the browser: a `Step`
(demo/scenarios.py) that, for each command, signs in as the person the scenario
casts for it, opens the command's form page, types the command's values into
the form's inputs as a person would (text, dates, radio buttons, check boxes,
lists) and sends it, on a server whose clock stands at the step's date.

What the command created (the case, a consent, a meeting, a participant) is
read back from the events the post recorded, as `CommandResult.created`, so the
scenario goes on with the ids the browser's posts made.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from enum import Enum
from typing import Any
from uuid import UUID

from playwright.sync_api import Page

from commands.base import CaseCommand, Command, CommandResult
from commands.case_commands import OpenCase
from ledger.values import Actor
from tests.support.axe import assert_accessible
from web.forms.bound import _text as as_input  # the form's own rendering of a value, so both agree
from web.forms.fields import Field, Widget, form_for

_CONTAINERS = (Widget.GROUP, Widget.REPEAT)


class BrowserStep:
    """Tells a scenario through `page` to the server at `url`; `sign_in` gives the browser a session of an
    actor, `set_clock` moves the server's clock, `events` lists a case's events, `archive` files a case."""

    def __init__(
        self,
        page: Page,
        url: str,
        *,
        sign_in: Callable[[Actor], None],
        set_clock: Callable[[datetime], None],
        events: Callable[[UUID], list[Any]],
        archive: Callable[[UUID, datetime], object],
        visited: list[str] | None = None,
    ) -> None:
        self.page, self.url = page, url
        self.sign_in, self.set_clock, self.events, self.archive = sign_in, set_clock, events, archive
        self.case_id: UUID | None = None
        self.visited = visited if visited is not None else []  # every page checked with axe-core

    def __call__(self, command: type[Command], when: datetime, **fields: Any) -> CommandResult:
        form = form_for(command)
        actor: Actor = fields.pop("actor")
        self.set_clock(when + timedelta(minutes=5))  # recorded a few minutes after it happened
        self.sign_in(actor)  # after: a session lives by the server's clock
        if issubclass(command, CaseCommand):
            assert self.case_id is not None, "a case command before the case was opened"
            address = f"/saker/{self.case_id}/handlinger/{form.slug}"
        else:
            assert command is OpenCase
            fields.pop("case_id", None)  # the server gives the case its id
            address = "/saker/ny"
        before = self.events(self.case_id) if self.case_id else []
        self.open(address)
        scope = self.page.locator(f"form[data-handling='{form.slug}']")
        fields["occurred_at"] = when
        for f in form.walk():
            if f.widget == Widget.CONFIRM:
                scope.locator(f"[name='{f.name}']").check()  # the person confirms what the step does
            elif f.widget not in _CONTAINERS:
                found, value = _lookup(fields, f.name)
                if found:
                    self._type(scope, f, value)
        with self.page.expect_navigation():
            scope.locator("button[type='submit']").click()
        landed = self.page.url
        assert "/handlinger/" not in landed and not landed.endswith("/saker/ny"), (
            f"{command.__name__} was not accepted: {self.page.locator('.ds-error-summary').all_inner_texts()}"
        )
        if self.case_id is None:
            self.case_id = UUID(landed.split("/saker/")[1].split("?")[0].split("#")[0].split("/")[0])
        new = self.events(self.case_id)[len(before) :]
        assert new, f"{command.__name__}: the post recorded no event"
        created = {
            name: value
            for event in new
            for name, value in vars(event).items()
            if name.endswith("_id") and name != "originator_id" and isinstance(value, UUID)
        }
        return CommandResult(case_id=self.case_id, version=len(before) + len(new), created=created)

    def file_in_archive(self, when: datetime) -> None:
        assert self.case_id is not None
        self.set_clock(when + timedelta(minutes=5))
        self.archive(self.case_id, when)

    def open(self, address: str) -> None:
        """Goes to a page of the site, checks it answered and that axe-core finds nothing on it."""
        answer = self.page.goto(self.url + address)
        assert answer is not None and answer.status == 200, (address, answer and answer.status)
        assert_accessible(self.page)
        self.visited.append(address)

    def _type(self, scope: Any, f: Field, value: Any) -> None:
        inputs = scope.locator(f"[name='{f.name}']")
        if f.widget in (Widget.TEXT, Widget.TEXTAREA, Widget.NUMBER, Widget.DATE, Widget.DATETIME):
            inputs.fill(as_input(value))
        elif f.widget == Widget.LINES:
            inputs.fill("\n".join(str(v) for v in value))
        elif f.widget == Widget.CHECKBOX:
            inputs.set_checked(bool(value))
        elif f.widget == Widget.YES_NO or f.widget == Widget.CHOICE:
            if inputs.first.evaluate("e => e.tagName") == "SELECT":
                inputs.select_option(as_input(value))
            else:
                scope.locator(f"[name='{f.name}'][value='{as_input(value)}']").check()
        elif f.widget == Widget.CHOICES:
            wanted = {_choice(v) for v in value}
            for box in inputs.all():
                box.set_checked(box.get_attribute("value") in wanted)
        else:
            raise AssertionError(f"no way to type into a {f.widget} ({f.name})")


def _choice(value: Any) -> str:
    return str(value.value) if isinstance(value, Enum) else str(value)


def _lookup(fields: dict[str, Any], dotted: str) -> tuple[bool, Any]:
    """The value under a form field's posted name (`subject.national_id`, `guardians.0.name`)."""
    head, *rest = dotted.split(".")
    if head not in fields:
        return False, None
    value = fields[head]
    for part in rest:
        if value is None:
            return False, None
        value = value[int(part)] if part.isdigit() else getattr(value, part)
    return value is not None, value

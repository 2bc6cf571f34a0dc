"""What the action templates call: the actions of a case, their areas, a
blank form of an action, and the words for a label that starts a sentence."""

from __future__ import annotations

from typing import Any

import jinja2

from web.actions import Action, actions_for, anchor_id, grouped, open_case_action
from web.forms.bound import Bound


@jinja2.pass_context
def blank(context: Any, action: Action, origin: str, scope: str = "") -> Bound:
    """A form as it is first shown, with the page's CSRF token (`scope`: see `Bound.scope`)."""
    return Bound(action, context["csrf_token"], origin=origin, scope=scope)


def sentence(text: str) -> str:
    """Capitalises the first letter only (the vocabulary keeps words lower case; "NAV" stays "NAV")."""
    return text[:1].upper() + text[1:]


def install_helpers(env: jinja2.Environment) -> None:
    env.globals.update(
        actions_for=actions_for,
        grouped=grouped,
        open_case_action=open_case_action,
        blank=blank,
        anchor_id=anchor_id,
    )
    env.filters["sentence"] = sentence

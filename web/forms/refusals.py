"""Where a refusal of the command service is shown: next to the field it is
about, or at the top of the form.

The service names the rule (INV-xx) and says why in Norwegian; it does not
name a form field, so this table says which field each rule is about when the
form has one. A rule about the case as a whole (INV-02, INV-05, INV-08 …) or a
refusal without a rule is shown at the top.
"""

from __future__ import annotations

from ledger.errors import DomainError
from web.forms.fields import Form
from web.forms.parse import Posted

# Rule -> the fields it may be about, most likely first; the first the form has is chosen.
RULE_FIELDS: dict[str, tuple[str, ...]] = {
    "INV-03": ("kind",),  # a child coordinator only for a child, and only when asked for
    "INV-04": ("given_by", "signer"),  # who may consent at the person's age
    "INV-09": ("goal_id", "activity_id", "text", "life_area", "responsible_service"),
    "INV-11": ("subject.birth_date", "subject.national_id"),  # the birth date does not match the national id
}
# Times that cannot be in the future or before the case was opened (INV-10): the one filled in.
TIMES = ("received_at", "occurred_at")


def field_of(form: Form, error: DomainError, posted: Posted) -> str | None:
    """The field a refusal is about, or None for the top of the form."""
    if error.rule == "INV-10":
        filled = [name for name in TIMES if form.field(name) is not None and _filled(posted, name)]
        return filled[0] if filled else None
    for name in RULE_FIELDS.get(error.rule or "", ()):
        if form.field(name) is not None:
            return name
    return None


def _filled(posted: Posted, name: str) -> bool:
    value = posted.get(name)
    return isinstance(value, str) and bool(value.strip())

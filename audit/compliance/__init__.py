"""The compliance evaluation: every check of DOMAIN §5 (CHK-01..CHK-20) over
one case's event history, judged under one municipal profile at one moment.

`evaluate(events, profile, today)` is pure: no I/O and no clock of its own.
It reads only the events that had occurred by `today` (so a report "as of"
an earlier day is the same call with an earlier `today`) and returns one
`CheckResult` per rule, in order.

How every check reads:

- `ok`: what the check asks is shown by the events in `evidence`.
- `breach`: a deadline passed, or something required is missing; `detail`
  says which, in Norwegian, and `deadline` is the date that was broken.
- `pending`: something is awaited and its deadline (if it has one yet) has
  not passed at `today`; it becomes a breach when `today` moves past it.
  Checks of single items (a request, a meeting, a goal, a complaint) are
  pending while any item is awaited; recurring duties (CHK-07, 08, 10) are
  pending only until they are met for the first time, then `ok` with the
  next due date as `deadline`.
- `not_applicable`: the profile sets nothing the check depends on (the
  ledger never invents a deadline a municipality did not set), or the case
  has nothing to judge (no refusal, no complaint, an adult, an open case);
  `detail` says which.

Days are calendar days in Norway (Europe/Oslo); "N days after" ends at the
end of the N-th day after the day it started. Personal fields erased with
the case key are never read as values: a check that depends only on such a
field says so instead of guessing. Each check's interpretation is the
docstring of its function, written for the reviewer at Statsforvalteren.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from audit.compliance.checks_closing import (
    chk15_closing_documented,
    chk18_refusal_told_of_complaint,
    chk19_plan_contents,
    chk20_complaint_forwarded,
)
from audit.compliance.checks_coordinator import (
    chk01_coordinator_named_in_time,
    chk02_startup_conversation,
    chk11_coordinator_trained,
    chk14_absence_covered,
    chk17_relay_log_closed,
)
from audit.compliance.checks_followup import (
    chk08_team_reviewed,
    chk09_goals_evaluated,
    chk10_status_to_ke,
)
from audit.compliance.checks_meetings import (
    chk04_agenda_in_time,
    chk05_minutes,
    chk06_subject_voice,
    chk07_meeting_frequency,
)
from audit.compliance.checks_start import (
    chk03_consent_before_meeting,
    chk12_interpreter,
    chk13_right_to_plan,
)
from audit.compliance.checks_transitions import chk16_transitions
from audit.compliance.result import (
    RULE_TITLES,
    RULES,
    CheckResult,
    CheckStatus,
    not_applicable,
)
from audit.compliance.timeline import Timeline
from ledger.profiles import MunicipalProfile

Check = Callable[[Timeline, MunicipalProfile], CheckResult]

CHECKS: dict[str, Check] = {
    "CHK-01": chk01_coordinator_named_in_time,
    "CHK-02": chk02_startup_conversation,
    "CHK-03": chk03_consent_before_meeting,
    "CHK-04": chk04_agenda_in_time,
    "CHK-05": chk05_minutes,
    "CHK-06": chk06_subject_voice,
    "CHK-07": chk07_meeting_frequency,
    "CHK-08": chk08_team_reviewed,
    "CHK-09": chk09_goals_evaluated,
    "CHK-10": chk10_status_to_ke,
    "CHK-11": chk11_coordinator_trained,
    "CHK-12": chk12_interpreter,
    "CHK-13": chk13_right_to_plan,
    "CHK-14": chk14_absence_covered,
    "CHK-15": chk15_closing_documented,
    "CHK-16": chk16_transitions,
    "CHK-17": chk17_relay_log_closed,
    "CHK-18": chk18_refusal_told_of_complaint,
    "CHK-19": chk19_plan_contents,
    "CHK-20": chk20_complaint_forwarded,
}


def evaluate(events: Sequence[Any], profile: MunicipalProfile, today: datetime) -> list[CheckResult]:
    """Every check CHK-01..CHK-20 over one case's events, under `profile`, as of `today`."""
    timeline = Timeline(events, today)
    if timeline.opened is None:
        return [not_applicable(rule, "Saken har ingen registrerte hendelser på dette tidspunktet.") for rule in RULES]
    return [CHECKS[rule](timeline, profile) for rule in RULES]


__all__ = ["CHECKS", "RULES", "RULE_TITLES", "CheckResult", "CheckStatus", "evaluate"]

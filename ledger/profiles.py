"""Municipal profiles (DOMAIN §4): every deadline and frequency a check uses.

`None` means the municipality's routine sets nothing; the check that depends
on it reports `not_applicable` under that profile. The ledger never invents
a deadline a municipality did not set.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledger.values import PlanTool


@dataclass(frozen=True)
class MunicipalProfile:
    key: str
    name: str
    unit_leader_days_to_name_coordinator: int | None
    min_days_agenda_before_meeting: int | None
    max_days_meeting_to_minutes: int | None
    minutes_deadline_text: str | None  # a routine that says only "innan rimeleg tid"
    min_meetings_per_12_months: int | None
    max_months_between_team_reviews: int | None
    yearly_status_report_to_ke: bool
    coordinator_training_before_first_meeting: bool
    training_offered: bool
    team_name: str
    tools: tuple[PlanTool, ...]
    relay_log_before_coordinator: bool
    age_based_transition_deadlines: bool
    complaint_forwarding_days: int = 21


_BOTH_TOOLS = (PlanTool.INDIVIDUAL_PLAN, PlanTool.MINUTES)

PROFILES: dict[str, MunicipalProfile] = {
    p.key: p
    for p in (
        MunicipalProfile(
            key="sondre-land",
            name="Søndre Land",
            unit_leader_days_to_name_coordinator=14,
            min_days_agenda_before_meeting=None,
            max_days_meeting_to_minutes=None,
            minutes_deadline_text=None,
            min_meetings_per_12_months=None,
            max_months_between_team_reviews=6,
            yearly_status_report_to_ke=False,
            coordinator_training_before_first_meeting=False,
            training_offered=False,
            team_name="oppfølgingsteam",
            tools=(PlanTool.INDIVIDUAL_PLAN,),
            relay_log_before_coordinator=False,
            age_based_transition_deadlines=False,
        ),
        MunicipalProfile(
            key="sunnfjord",
            name="Sunnfjord",
            unit_leader_days_to_name_coordinator=None,
            min_days_agenda_before_meeting=None,
            max_days_meeting_to_minutes=None,
            minutes_deadline_text="innan rimeleg tid",
            min_meetings_per_12_months=2,
            max_months_between_team_reviews=None,
            yearly_status_report_to_ke=False,
            coordinator_training_before_first_meeting=False,
            training_offered=False,
            team_name="ansvarsgruppe",
            tools=_BOTH_TOOLS,
            relay_log_before_coordinator=False,
            age_based_transition_deadlines=False,
        ),
        MunicipalProfile(
            key="selbu",
            name="Selbu",
            unit_leader_days_to_name_coordinator=None,
            min_days_agenda_before_meeting=7,
            max_days_meeting_to_minutes=14,
            minutes_deadline_text=None,
            min_meetings_per_12_months=None,
            max_months_between_team_reviews=12,
            yearly_status_report_to_ke=True,
            coordinator_training_before_first_meeting=True,
            training_offered=True,
            team_name="ansvarsgruppe",
            tools=(PlanTool.INDIVIDUAL_PLAN,),
            relay_log_before_coordinator=False,
            age_based_transition_deadlines=True,
        ),
        MunicipalProfile(
            key="vestre-toten",
            name="Vestre Toten",
            unit_leader_days_to_name_coordinator=None,
            min_days_agenda_before_meeting=None,
            max_days_meeting_to_minutes=None,
            minutes_deadline_text=None,
            min_meetings_per_12_months=2,
            max_months_between_team_reviews=None,
            yearly_status_report_to_ke=False,
            coordinator_training_before_first_meeting=False,
            training_offered=True,
            team_name="ansvarsgruppe",
            tools=(PlanTool.INDIVIDUAL_PLAN,),
            relay_log_before_coordinator=True,
            age_based_transition_deadlines=False,
        ),
        MunicipalProfile(
            key="national-default",
            name="Nasjonal standard",
            unit_leader_days_to_name_coordinator=14,
            min_days_agenda_before_meeting=7,
            max_days_meeting_to_minutes=14,
            minutes_deadline_text=None,
            min_meetings_per_12_months=2,
            max_months_between_team_reviews=6,
            yearly_status_report_to_ke=True,
            coordinator_training_before_first_meeting=False,
            training_offered=False,
            team_name="ansvarsgruppe",
            tools=_BOTH_TOOLS,
            relay_log_before_coordinator=False,
            age_based_transition_deadlines=True,
        ),
    )
}

# Tenants (four-digit municipality numbers) with a routine of their own.
TENANT_PROFILES: dict[str, str] = {
    "3447": "sondre-land",
    "4647": "sunnfjord",
    "5032": "selbu",
    "3443": "vestre-toten",
}

MUNICIPALITY_NAMES: dict[str, str] = {
    "3447": "Søndre Land",
    "4647": "Sunnfjord",
    "5032": "Selbu",
    "3443": "Vestre Toten",
}


def profile_for(municipality: str, default: str = "national-default") -> MunicipalProfile:
    """The profile a tenant runs under; others start from `default` (LEDGER_PROFILE)."""
    key = TENANT_PROFILES.get(municipality, default)
    try:
        return PROFILES[key]
    except KeyError:
        raise ValueError(f"unknown municipal profile {key!r}; known: {', '.join(sorted(PROFILES))}") from None

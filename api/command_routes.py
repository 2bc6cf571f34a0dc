"""Every command offered over HTTP, one row each: method, path (under
/v1/cases), command, request body name and what it does.

This table is the only place a command meets HTTP. The body is derived from
the command's fields (api/command_bodies.py), path parameters are the command
fields of the same name, who may call it comes from the command's `roles`, and
one route function serves every row (api/commanding.py). tests/test_intentions.py
checks every command, its Case method, its body and its row against each other.
"""

from __future__ import annotations

from api.bundle_upload import BUNDLE_BODY, bundle_bytes, pinned_public_key
from api.command_bodies import Nested
from api.commanding import CommandRoute, command_router, tagged
from api.deps import PROBLEMS, CurrentActor
from commands import case_commands as c
from commands import plan_commands as p
from commands.transfer_in import TransferIn


def own_municipality(actor: CurrentActor) -> str:
    """A case is opened in the caller's own municipality (INV-01)."""
    return actor.municipality


POST, DELETE = "POST", "DELETE"

ROUTES: tuple[CommandRoute, ...] = (
    *tagged(
        "cases",
        CommandRoute(
            POST,
            "",
            c.OpenCase,
            "CaseCreate",
            "Open a case from a referral.",
            from_request={"municipality": own_municipality},
            omit=frozenset({"case_id"}),  # chosen by the ledger, not the caller
            nested=Nested("referred_by", "Referrer", {"kind": "referrer_kind", "name": "referrer_name"}),
            example={
                "subject": {"national_id": "02047900185"},
                "requested": ["coordinator", "individual_plan"],
                "referred_by": {"kind": "gp", "name": "Dr. Hansen"},
            },
        ),
        CommandRoute(
            POST,
            "/{case_id}/requests",
            c.RequestProvision,
            "ProvisionRequest",
            "Record that the subject or family asks for more (e.g. a child coordinator).",
        ),
        CommandRoute(
            POST,
            "/{case_id}/decisions",
            c.RecordDecision,
            "DecisionCreate",
            "Record a decision (vedtak) granting or refusing IP or coordinator.",
            example={
                "outcome": "granted",
                "concerns": ["coordinator", "individual_plan"],
                "legal_basis": "hol. §§ 7-1, 7-2",
                "reasons": "Behov for langvarige og koordinerte tjenester.",
            },
        ),
        CommandRoute(
            POST,
            "/{case_id}/coordinator-requests",
            c.RequestCoordinator,
            "CoordinatorRequestCreate",
            "Ask a unit leader to name a coordinator; the profile's deadline starts.",
        ),
        CommandRoute(
            POST,
            "/{case_id}/coordinators",
            c.AppointCoordinator,
            "CoordinatorCreate",
            "Name the coordinator, child coordinator or relay holder.",
        ),
        CommandRoute(
            POST,
            "/{case_id}/coordinators/substitute",
            c.AssignSubstitute,
            "SubstituteCreate",
            "Name a substitute (vikar) while the coordinator is absent.",
        ),
        CommandRoute(
            POST,
            "/{case_id}/coordinators/replacement",
            c.ReplaceCoordinator,
            "ReplacementCreate",
            "Replace the coordinator.",
        ),
        CommandRoute(
            POST, "/{case_id}/coordinators/release", c.ReleaseCoordinator, "ReasonBody", "Release the coordinator."
        ),
        CommandRoute(
            POST,
            "/{case_id}/coordinator-training",
            c.RecordCoordinatorTraining,
            "TrainingCreate",
            "Record that the coordinator completed the introductory course.",
            name="record_training",
        ),
        CommandRoute(
            POST,
            "/{case_id}/relay-log/closure",
            c.CloseRelayLog,
            "ReasonBody",
            "Close the relay log (stafettlogg) when a coordinator or IP takes over.",
        ),
        CommandRoute(
            POST,
            "/{case_id}/startup-conversations",
            c.HoldStartupConversation,
            "StartupConversationCreate",
            'Record the start-up conversation ("hva er viktig for deg?").',
        ),
    ),
    *tagged(
        "consent and team",
        CommandRoute(
            POST,
            "/{case_id}/consents",
            c.GrantConsent,
            "ConsentCreate",
            "Record a consent; for a child with two recorded parents it awaits the other's signature (INV-04).",
            example={
                "given_by": {"role": "subject", "name": "Ola Nordmann", "national_id": "02047900185"},
                "participants": ["6f1c2b6e-3f0e-4f57-9b0e-2d3c6b9a1e10"],
                "categories": ["health", "work"],
                "valid_until": "2027-12-31",
            },
        ),
        CommandRoute(
            POST,
            "/{case_id}/consents/{consent_id}/signatures",
            c.SignConsent,
            "SignatureCreate",
            "Add the second parent's signature; the consent is in force from then.",
        ),
        CommandRoute(
            POST,
            "/{case_id}/consents/{consent_id}/withdrawals",
            c.WithdrawConsent,
            "WithdrawalCreate",
            "Withdraw a consent, wholly or for participants or categories; effective when recorded (INV-05).",
        ),
        CommandRoute(
            POST,
            "/{case_id}/consents/{consent_id}/expiry",
            c.ExpireConsent,
            "EmptyBody",
            "Record that a consent's period ended.",
        ),
        CommandRoute(
            POST,
            "/{case_id}/participants",
            c.AddParticipant,
            "ParticipantCreate",
            "Add a participant to the team (establishes the team on first use).",
        ),
        CommandRoute(
            DELETE,
            "/{case_id}/participants/{participant_id}",
            c.RemoveParticipant,
            None,
            "Remove a participant from the team.",
            omit=frozenset({"reason"}),  # a DELETE carries no body
        ),
    ),
    *tagged(
        "plan",
        CommandRoute(
            POST,
            "/{case_id}/plan",
            p.EstablishPlan,
            "PlanCreate",
            "Choose the coordination tool: individual plan or minutes (INV-02).",
        ),
        CommandRoute(
            POST,
            "/{case_id}/life-areas",
            p.AssessLifeArea,
            "LifeAreaAssessment",
            "Describe the current situation in a life area.",
        ),
        CommandRoute(
            POST,
            "/{case_id}/goals",
            p.SetGoal,
            "GoalCreate",
            "Set a goal in the subject's own words, with life area and responsible service (INV-09).",
            example={
                "text": "Jeg vil ha en fast jobb innen ett år",
                "life_area": "education_work",
                "responsible_service": "NAV",
                "evaluate_by": "2026-09-01",
            },
        ),
        CommandRoute(
            POST,
            "/{case_id}/goals/{goal_id}/revisions",
            p.ReviseGoal,
            "GoalRevision",
            "Revise a goal's text or evaluation date.",
        ),
        CommandRoute(POST, "/{case_id}/goals/{goal_id}/closure", p.CloseGoal, "ReasonBody", "Close a goal."),
        CommandRoute(
            POST,
            "/{case_id}/goals/{goal_id}/evaluations",
            p.EvaluateGoal,
            "EvaluationCreate",
            "Evaluate a goal (a service provider: only a goal their service is responsible for).",
        ),
        CommandRoute(
            POST,
            "/{case_id}/goals/{goal_id}/activities",
            p.PlanActivity,
            "ActivityCreate",
            "Plan an activity towards a goal.",
        ),
        CommandRoute(
            POST,
            "/{case_id}/activities/{activity_id}/completion",
            p.CompleteActivity,
            "EmptyBody",
            "Mark an activity as done.",
        ),
        CommandRoute(
            POST, "/{case_id}/comments", p.AddComment, "CommentCreate", "Add a comment to the plan or to a goal."
        ),
        CommandRoute(
            POST,
            "/{case_id}/reviews",
            p.ReviewTeam,
            "ReviewCreate",
            "Evaluate the team's work, composition and the continued need for IP/coordinator.",
        ),
        CommandRoute(
            POST,
            "/{case_id}/status-reports",
            p.ReportStatus,
            "StatusReportCreate",
            "Report the yearly status to the coordinating unit.",
        ),
        CommandRoute(
            POST,
            "/{case_id}/transitions",
            p.PlanTransition,
            "TransitionCreate",
            "Plan a transition (school start, lower/upper secondary, adult services).",
        ),
        CommandRoute(
            POST,
            "/{case_id}/transitions/{transition_id}/completion",
            p.CompleteTransition,
            "EmptyBody",
            "Record that a planned transition took place.",
        ),
    ),
    *tagged(
        "meetings",
        CommandRoute(POST, "/{case_id}/meetings", p.ScheduleMeeting, "MeetingCreate", "Schedule a team meeting."),
        CommandRoute(
            POST,
            "/{case_id}/meetings/{meeting_id}/agenda",
            p.SendAgenda,
            "AgendaCreate",
            "Send the agenda (saksliste), agreed with the subject.",
        ),
        CommandRoute(
            POST,
            "/{case_id}/meetings/{meeting_id}/held",
            p.HoldMeeting,
            "MeetingHeldCreate",
            "Record that the meeting was held, with the subject's own voice.",
        ),
        CommandRoute(
            POST,
            "/{case_id}/meetings/{meeting_id}/minutes",
            p.DistributeMinutes,
            "MinutesCreate",
            "Record that the minutes (referat) were distributed.",
        ),
        CommandRoute(
            POST, "/{case_id}/meetings/{meeting_id}/cancellation", p.CancelMeeting, "ReasonBody", "Cancel a meeting."
        ),
    ),
    *tagged(
        "closing and complaints",
        CommandRoute(
            POST,
            "/{case_id}/closure",
            p.CloseCase,
            "ClosureCreate",
            "Close coordination, with the assessment and the subject's agreement or a termination letter.",
        ),
        CommandRoute(
            POST,
            "/{case_id}/closure/notice",
            p.NotifyClosure,
            "ClosureNoticeCreate",
            "Record that KE and the team were told coordination ended.",
        ),
        CommandRoute(POST, "/{case_id}/reopening", p.ReopenCase, "ReasonBody", "Reopen a closed case."),
        CommandRoute(
            POST,
            "/{case_id}/exports",
            p.ExportPlan,
            "ExportCreate",
            "Export the whole plan; its sha256 is recorded in PlanExported.",
        ),
        CommandRoute(
            POST,
            "/{case_id}/erasure",
            p.EraseCase,
            None,
            "Destroy the case key after closing and export (else 409 INV-12).",
        ),
        CommandRoute(
            POST,
            "/{case_id}/transfers",
            p.TransferOut,
            "TransferCreate",
            "Record that the person moved and what was transferred with consent.",
        ),
        CommandRoute(POST, "/{case_id}/complaints", p.ReceiveComplaint, "ComplaintCreate", "Record a complaint."),
        CommandRoute(
            POST,
            "/{case_id}/complaints/{complaint_id}/forwarding",
            p.ForwardComplaint,
            "ComplaintForward",
            "Record that the complaint was sent to Statsforvalteren with the report's sha256; 422 if the ledger "
            "never issued a report with that sha256 for this case.",
        ),
        CommandRoute(
            POST,
            "/{case_id}/complaints/{complaint_id}/decisions",
            p.DecideComplaint,
            "ComplaintDecision",
            "Record the outcome of a complaint (by the municipality or Statsforvalteren).",
        ),
        CommandRoute(
            POST,
            "/transfers-in",
            TransferIn,
            None,
            """Open a case for a person who moved here, from their former municipality's case bundle.

The bundle is verified first (every chain link, every inclusion proof, the checkpoint's signature, and the
public fields of its readable events against the stored ones); a bundle that does not hold is refused with
422 naming the failed check, and nothing is written. The source must have recorded the move to this
municipality (`TransferredOut`). The new case has the same subject, guardians and requested provisions
(INV-02 applies as for a new referral) and records `TransferredIn` with the source municipality, the source
case id and the bundle's sha256 (answered as `sha256`). The source's events are not replayed: decisions and
the plan are this municipality's to make again.""",
            from_request={"bundle": bundle_bytes, "public_key": pinned_public_key},
            openapi_extra={"requestBody": BUNDLE_BODY},
            responses={413: {**PROBLEMS[422], "description": "The bundle is larger than 64 MB"}},
        ),
    ),
)

router = command_router(ROUTES)

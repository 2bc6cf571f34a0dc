"""Plan, goals, activities, evaluations, reviews and transitions."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request, Response

from api import bodies as b
from api.commanding import COMMAND_DEPENDENCIES, COMMAND_RESPONSES, run
from api.deps import CommandAccepted, CommandsDep, CurrentActor
from commands import plan_commands as p

router = APIRouter(prefix="/v1/cases", tags=["plan"], responses=COMMAND_RESPONSES, dependencies=COMMAND_DEPENDENCIES)


@router.post("/{case_id}/plan", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True)
def establish_plan(
    case_id: UUID, body: b.PlanCreate, actor: CurrentActor, commands: CommandsDep, request: Request, response: Response
):
    """Choose the coordination tool: individual plan or minutes (INV-02)."""
    return run(commands, p.EstablishPlan, actor, request, response, body, case_id)


@router.post("/{case_id}/life-areas", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True)
def assess_life_area(
    case_id: UUID,
    body: b.LifeAreaAssessment,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Describe the current situation in a life area."""
    return run(commands, p.AssessLifeArea, actor, request, response, body, case_id)


@router.post("/{case_id}/goals", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True)
def set_goal(
    case_id: UUID, body: b.GoalCreate, actor: CurrentActor, commands: CommandsDep, request: Request, response: Response
):
    """Set a goal in the subject's own words, with life area and responsible service (INV-09)."""
    return run(commands, p.SetGoal, actor, request, response, body, case_id)


@router.post(
    "/{case_id}/goals/{goal_id}/revisions",
    status_code=201,
    response_model=CommandAccepted,
    response_model_exclude_none=True,
)
def revise_goal(
    case_id: UUID,
    goal_id: UUID,
    body: b.GoalRevision,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Revise a goal's text or evaluation date."""
    return run(commands, p.ReviseGoal, actor, request, response, body, case_id, goal_id=goal_id)


@router.post(
    "/{case_id}/goals/{goal_id}/closure",
    status_code=201,
    response_model=CommandAccepted,
    response_model_exclude_none=True,
)
def close_goal(
    case_id: UUID,
    goal_id: UUID,
    body: b.ReasonBody,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Close a goal."""
    return run(commands, p.CloseGoal, actor, request, response, body, case_id, goal_id=goal_id)


@router.post(
    "/{case_id}/goals/{goal_id}/evaluations",
    status_code=201,
    response_model=CommandAccepted,
    response_model_exclude_none=True,
)
def evaluate_goal(
    case_id: UUID,
    goal_id: UUID,
    body: b.EvaluationCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Evaluate a goal (coordinator, or the responsible service provider)."""
    return run(commands, p.EvaluateGoal, actor, request, response, body, case_id, goal_id=goal_id)


@router.post(
    "/{case_id}/goals/{goal_id}/activities",
    status_code=201,
    response_model=CommandAccepted,
    response_model_exclude_none=True,
)
def plan_activity(
    case_id: UUID,
    goal_id: UUID,
    body: b.ActivityCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Plan an activity towards a goal."""
    return run(commands, p.PlanActivity, actor, request, response, body, case_id, goal_id=goal_id)


@router.post(
    "/{case_id}/activities/{activity_id}/completion",
    status_code=201,
    response_model=CommandAccepted,
    response_model_exclude_none=True,
)
def complete_activity(
    case_id: UUID,
    activity_id: UUID,
    body: b.EmptyBody,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Mark an activity as done."""
    return run(commands, p.CompleteActivity, actor, request, response, body, case_id, activity_id=activity_id)


@router.post("/{case_id}/comments", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True)
def add_comment(
    case_id: UUID,
    body: b.CommentCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Add a comment to the plan or to a goal."""
    return run(commands, p.AddComment, actor, request, response, body, case_id)


@router.post("/{case_id}/reviews", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True)
def review_team(
    case_id: UUID,
    body: b.ReviewCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Evaluate the team's work, composition and the continued need for IP/coordinator."""
    return run(commands, p.ReviewTeam, actor, request, response, body, case_id)


@router.post(
    "/{case_id}/status-reports", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True
)
def report_status(
    case_id: UUID,
    body: b.StatusReportCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Report the yearly status to the coordinating unit."""
    return run(commands, p.ReportStatus, actor, request, response, body, case_id)


@router.post(
    "/{case_id}/transitions", status_code=201, response_model=CommandAccepted, response_model_exclude_none=True
)
def plan_transition(
    case_id: UUID,
    body: b.TransitionCreate,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Plan a transition (school start, lower/upper secondary, adult services)."""
    return run(commands, p.PlanTransition, actor, request, response, body, case_id)


@router.post(
    "/{case_id}/transitions/{transition_id}/completion",
    status_code=201,
    response_model=CommandAccepted,
    response_model_exclude_none=True,
)
def complete_transition(
    case_id: UUID,
    transition_id: UUID,
    body: b.EmptyBody,
    actor: CurrentActor,
    commands: CommandsDep,
    request: Request,
    response: Response,
):
    """Record that a planned transition took place."""
    return run(commands, p.CompleteTransition, actor, request, response, body, case_id, transition_id=transition_id)

"""Response models of the reads: what the OpenAPI schema promises and
FastAPI checks on the way out (so the schema stays true)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

HexDigest = str


class CaseView(BaseModel):
    """The case as the reader may see it. A reader with full access gets every part
    (subject, decisions, coordinator, team, consents, plan, goals with evaluations,
    meetings, closure, exports, complaints); a team participant only the parts the
    consent in force covers (`readable_categories`), never a national id."""

    model_config = ConfigDict(extra="allow")
    case_id: UUID
    version: int = Field(description="Events that occurred (or were recorded) by the time asked for")
    status: str = Field(description="open, closed, transferred_out (not_yet_recorded before the case existed)")
    municipality: str | None = None


class RecordedBy(BaseModel):
    id: str = Field(description="The user's id; a citizen or guardian by role only")
    role: str
    municipality: str
    service: str | None = None
    name: str | None = Field(None, description="None once the case key is destroyed")


class HistoryEvent(BaseModel):
    version: int = Field(description="1, 2, … within the case")
    log_index: int | None = Field(description="0-based leaf index in the ledger's Merkle tree")
    type: str
    occurred_at: str
    recorded_at: str
    recorded_by: RecordedBy
    data: dict[str, Any]
    hash: HexDigest = Field(description="The event's chain hash, lowercase hex")
    erased: list[str] | None = Field(None, description="Personal fields no longer readable (key destroyed)")


class CaseHistory(BaseModel):
    case_id: UUID
    events: list[HistoryEvent]


class IssuedDocument(BaseModel):
    format: str = Field(examples=["pdf"])
    sha256: HexDigest = Field(
        description="The document's sha256, as its `Digest` header gave it; a complaint is forwarded with it"
    )


class AccessRecord(BaseModel):
    seq: int
    who: str = Field(description="The reader's id; a citizen or guardian by role only")
    name: str
    role: str
    service: str | None
    parts: list[str]
    at: str
    why: str
    issued: IssuedDocument | None = Field(None, description="The document this read handed out, if any (a report)")
    hash: HexDigest


class AccessLog(BaseModel):
    case_id: UUID
    entries: list[AccessRecord]


class Health(BaseModel):
    """Liveness: no database call, nothing secret."""

    status: str = Field(examples=["ok"])
    store: str = Field(description="sqlite or postgres")


class ProjectionLag(BaseModel):
    position: int = Field(description="The last event (notification id) the projection has applied")
    lag: int = Field(description="Events recorded that it has not applied yet")


class FailedProjection(BaseModel):
    projection: str
    cases: int = Field(description="Cases the projection could not compute")
    first_position: int = Field(description="Log position (notification id) of the first failing event")
    error: str = Field(description="The error's type and the line that raised it (never its message)")


class DatabaseState(BaseModel):
    reachable: bool
    ms: float | None = Field(None, description="How long the readiness queries took")
    error: str | None = Field(None, description="Why not reachable (the error's kind)")


class Readiness(BaseModel):
    """Readiness: `ready`, `degraded` (cases could not be computed; still serving) or `not_ready` (503)."""

    status: str = Field(examples=["ready"])
    store: str
    database: DatabaseState
    log_head: int | None = Field(description="Events in the log (its last notification id)")
    projections: dict[str, ProjectionLag]
    failed_projections: list[FailedProjection]


class Verification(BaseModel):
    model_config = ConfigDict(extra="allow")
    ok: bool
    summary: str
    problems: list[dict[str, Any]]
    access_log_problems: list[str]


class CheckpointPublic(BaseModel):
    id: int
    public_key: HexDigest | None = None
    tree_size: int | None = None
    root: HexDigest | None = None
    time: str | None = None
    key_id: str | None = None
    signature: HexDigest | None = None


class SigningKeyPublic(BaseModel):
    """A key of the ledger's signing key history, introduced by the one before it."""

    key_id: str
    public_key: HexDigest
    valid_from: str | None = Field(description="From when it signs (null: the first key, from the beginning)")
    introduced: str | None = Field(
        description="The previous key's Ed25519 signature (hex) over the statement introducing this one"
    )


class Checkpoints(BaseModel):
    public_key: HexDigest = Field(description="Ed25519 public key that verifies new signatures")
    key_id: str
    checkpoints: list[CheckpointPublic]
    key_history: list[SigningKeyPublic] = Field(
        description="Every key that has signed checkpoints, first to current; each checkpoint verifies with "
        "the key of its time"
    )


class InclusionProof(BaseModel):
    log_index: int
    tree_size: int
    leaf_hash: HexDigest
    proof: list[HexDigest]
    root: HexDigest


class ConsistencyProof(BaseModel):
    first: int
    second: int
    first_root: HexDigest
    second_root: HexDigest
    proof: list[HexDigest]


class CheckOutcome(BaseModel):
    """One check of DOMAIN §5 (CHK-01..CHK-20) for this case."""

    rule: str = Field(examples=["CHK-01"])
    status: str = Field(description="ok, breach, pending or not_applicable")
    detail: str = Field(description="Why, in Norwegian")
    deadline: str | None = Field(None, description="The date the check was (or will be) judged against")
    evidence: list[int] = Field(description="Versions of the events that prove or break it")


class Compliance(BaseModel):
    case_id: UUID
    municipality: str
    profile: str = Field(description="The municipal profile the case is judged under")
    evaluated_at: str
    version: int
    checks: list[CheckOutcome]


class BreachItem(BaseModel):
    """One breached or soon-due check of one case."""

    case_id: UUID
    rule: str = Field(examples=["CHK-04"])
    title: str = Field(description="The check's Norwegian name (DOMAIN §5)")
    status: str = Field(description="breach, or pending (due before `due_before`)")
    deadline: str | None = Field(None, description="The date or moment the check is judged against")
    unit: str | None = Field(None, description="The coordinator's unit, or the unit asked to appoint one")
    coordinator_id: str | None = None
    evidence: list[int] = Field(description="Versions of the case's events that prove or break it")
    judged_at: str = Field(
        description="When the case was last judged; a pending check whose deadline has "
        "passed since is shown as a breach"
    )


class BreachOverview(BaseModel):
    municipality: str
    evaluated_at: str
    due_before: str
    total: int = Field(description="Items matched, over all pages")
    breaches_per_rule: dict[str, int] = Field(description="Breaches matched per rule, over all pages")
    items: list[BreachItem]
    not_computed: list[UUID] = Field(
        default_factory=list,
        description="Cases of the municipality whose checks could not be computed from their events (a defect "
        "reported to operators); they have no items above, and their own `/compliance` read says so",
    )


# ------------------------------------------------------------------ archive
class ArchiveMessageState(BaseModel):
    """An archive message in the outbox: what it files and how its delivery stands (no case content)."""

    message_id: UUID = Field(description="The message's id: the same case and step always give the same id")
    cursor: int = Field(description="Its place in the outbox; list `after` it for the next page")
    case_id: UUID
    step: str = Field(description="The archivable step it files, e.g. `vedtak:<decision id>`, `plan:2026-06-30`")
    kind: str = Field(description="vedtak, plan, referat or avslutningsbrev")
    made_at: str = Field(description="The moment the step's document records")
    decided_at: str = Field(description="When the ledger decided the step is to be archived")
    status: str = Field(description="pending, rejected (offered again from `available_at`) or archived")
    attempts: int = Field(description="How many times it was handed out")
    available_at: str = Field(description="When it may be claimed (again): a lease's end or a retry's time")
    answered_at: str | None = Field(None, description="When the archive's last receipt was recorded")
    error: str | None = Field(None, description="The archive's error id, when it refused the message")


class ArchiveDocumentOut(BaseModel):
    """A document the message refers to (`referanseDokumentfil`)."""

    file_name: str = Field(description="As `referanseDokumentfil` in the message names it")
    media_type: str = Field(examples=["application/pdf"])
    sha256: HexDigest = Field(description="As `sjekksum` in the message states it")
    size: int
    content: str = Field(description="The document, base64 (RFC 4648)")


class ArchiveMessageOut(ArchiveMessageState):
    """A Fiks Arkiv `arkivmelding.opprett` with its documents: what the integration sends on Fiks IO."""

    title: str = Field(description="The record's title (no personal data: it reaches the public journal)")
    message_type: str = Field(examples=["no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett"])
    arkivmelding: str = Field(description="The message's XML (UTF-8), base64")
    arkivmelding_sha256: HexDigest
    documents: list[ArchiveDocumentOut]


class ArchiveClaim(BaseModel):
    lease_until: str = Field(description="Until then no other worker gets these messages; post each receipt by then")
    messages: list[ArchiveMessageOut]


class ArchiveOutbox(BaseModel):
    municipality: str
    counts: dict[str, int] = Field(description="Messages of the municipality in each state")
    items: list[ArchiveMessageState]
    next: int | None = Field(None, description="The cursor of the next page (`after`); none when this is the last")


class ArchiveReceiptAnswer(BaseModel):
    """The archive's receipt was recorded on the case (201), or had been already (200, nothing written)."""

    case_id: UUID
    version: int = Field(description="The case's version with the receipt recorded")
    message_id: UUID
    step: str
    status: str = Field(description="archived, or rejected when the archive refused (the message is offered again)")

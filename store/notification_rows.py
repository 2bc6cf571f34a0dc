"""Notifications (issue #11): what was decided, the outbox of deliveries with every attempt, and the
directory of who receives them. Every statement on these tables is here.

- `notifications`: one row per notification decided (a reminder's stable id, or KE's weekly
  digest's), with its content as JSON (no personal data: `notify.content`). Written by the duties
  projection in the transaction that moves its position (or refreshes a case), so a crash can
  neither lose a decision nor make it twice; the id is the primary key, so deciding it again is a
  no-op.
- `outbox`: one row per delivery (notification, channel, target), unique on those three; pending,
  delivered or dead (dead-lettered), with when it is due and, while a dispatcher holds it, until
  when (`leased_until`). `claim` takes the soonest due one: `FOR UPDATE SKIP LOCKED` on PostgreSQL,
  so dispatchers never wait on each other; one `UPDATE … RETURNING` on SQLite, whose single writer
  makes it atomic. Either way the lease outlives the claim's transaction, so a dispatcher that dies
  mid-delivery lets the delivery go when the lease runs out, and another sends it under the same id.
- `outbox_attempts`: every attempt, written when claimed (so an attempt cut off by a crash stays
  visible, unfinished) and completed with its times, outcome, status code and error kind. Error
  texts are composed by the senders without personal data.
- `contacts`: KE's directory of e-mail addresses, per municipality: a person (by the id the events
  name them by), a unit (by its name), or a KE mailbox (`ke`, any label).
- `webhooks`: KE's webhook subscriptions; the signing secret is stored sealed with a key derived
  from the master key (`Keyring.seal_secret`), never in clear.

Moments are fixed-width UTC text (`stamp`), so text order is time order on both stores.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from store.compliance_rows import stamp
from store.tables import Dialect, rows_changed

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
CONTACT_KINDS = ("person", "unit", "ke")


def create_statements(d: Dialect) -> list[str]:
    return [
        d.sql(
            "CREATE TABLE IF NOT EXISTS {notifications} (id TEXT PRIMARY KEY, municipality TEXT NOT NULL, "
            "case_id TEXT, type TEXT NOT NULL, rule TEXT, stage TEXT, assignee_kind TEXT, "
            "decided_at TEXT NOT NULL, content TEXT NOT NULL)"
        ),
        d.sql("CREATE INDEX IF NOT EXISTS notifications_case ON {notifications} (case_id, decided_at)"),
        d.sql(
            f"CREATE TABLE IF NOT EXISTS {{outbox}} (id {d.serial}, notification_id TEXT NOT NULL, "
            "channel TEXT NOT NULL, target TEXT NOT NULL, municipality TEXT NOT NULL, state TEXT NOT NULL, "
            "due_at TEXT NOT NULL, leased_until TEXT, attempts INTEGER NOT NULL DEFAULT 0, "
            "created_at TEXT NOT NULL, UNIQUE (notification_id, channel, target))"
        ),
        d.sql("CREATE INDEX IF NOT EXISTS outbox_due ON {outbox} (state, due_at)"),
        d.sql("CREATE INDEX IF NOT EXISTS outbox_municipality ON {outbox} (municipality, state)"),
        d.sql(
            "CREATE TABLE IF NOT EXISTS {outbox_attempts} (outbox_id BIGINT NOT NULL, number INTEGER NOT NULL, "
            "started_at TEXT NOT NULL, finished_at TEXT, outcome TEXT, status_code INTEGER, error TEXT, "
            "PRIMARY KEY (outbox_id, number))"
        ),
        d.sql(
            "CREATE TABLE IF NOT EXISTS {contacts} (municipality TEXT NOT NULL, kind TEXT NOT NULL, "
            "key TEXT NOT NULL, email TEXT NOT NULL, updated_at TEXT NOT NULL, updated_by TEXT NOT NULL, "
            "PRIMARY KEY (municipality, kind, key))"
        ),
        d.sql(
            f"CREATE TABLE IF NOT EXISTS {{webhooks}} (id TEXT PRIMARY KEY, municipality TEXT NOT NULL, "
            f"url TEXT NOT NULL, secret {d.blob} NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL)"
        ),
        d.sql("CREATE INDEX IF NOT EXISTS webhooks_municipality ON {webhooks} (municipality)"),
    ]


# ------------------------------------------------------------------ deciding
@dataclass(frozen=True)
class Decided:
    """A notification as decided: its id, what it is about (for listing), and its content."""

    id: str
    municipality: str
    case_id: str | None
    type: str
    rule: str | None
    stage: str | None
    assignee_kind: str | None
    decided_at: datetime
    content: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class Directory:
    """Who receives a municipality's notifications: e-mail addresses by (kind, key), the KE
    mailboxes, and the webhook subscriptions' ids."""

    emails: dict[tuple[str, str], str]
    ke: tuple[str, ...]
    webhooks: tuple[str, ...]


def directory(c: Any, d: Dialect, municipality: str) -> Directory:
    c.execute(
        d.sql("SELECT kind, key, email FROM {contacts} WHERE municipality = ? ORDER BY kind, key"), (municipality,)
    )
    emails = {(r["kind"], r["key"]): r["email"] for r in c.fetchall()}
    c.execute(d.sql("SELECT id FROM {webhooks} WHERE municipality = ? ORDER BY id"), (municipality,))
    hooks = tuple(r["id"] for r in c.fetchall())
    ke = tuple(dict.fromkeys(email for (kind, _), email in emails.items() if kind == "ke"))
    return Directory(emails, ke, hooks)


def is_decided(c: Any, d: Dialect, notification_id: str) -> bool:
    c.execute(d.sql("SELECT 1 AS x FROM {notifications} WHERE id = ?"), (notification_id,))
    return c.fetchone() is not None


def record_decision(c: Any, d: Dialect, n: Decided, deliveries: Iterable[tuple[str, str]]) -> bool:
    """Record a notification and its deliveries (channel, target), due at once; False, and nothing
    written, if it was decided before."""
    c.execute(
        d.sql(
            "INSERT INTO {notifications} (id, municipality, case_id, type, rule, stage, assignee_kind, "
            "decided_at, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"
        ),
        (
            n.id,
            n.municipality,
            n.case_id,
            n.type,
            n.rule,
            n.stage,
            n.assignee_kind,
            stamp(n.decided_at),
            orjson.dumps(n.content).decode(),
        ),
    )
    if rows_changed(c, d) != 1:
        return False
    decided = stamp(n.decided_at)
    rows = [(n.id, channel, target, n.municipality, PENDING, decided, decided) for channel, target in deliveries]
    if rows:
        c.executemany(
            d.sql(
                "INSERT INTO {outbox} (notification_id, channel, target, municipality, state, due_at, attempts, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT (notification_id, channel, target) "
                "DO NOTHING"
            ),
            rows,
        )
    return True


# ---------------------------------------------------------------- dispatching
@dataclass(frozen=True)
class WebhookRow:
    id: str
    municipality: str
    url: str
    secret: bytes = field(repr=False)  # sealed


@dataclass(frozen=True)
class Claimed:
    id: int  # the outbox row's
    notification_id: str
    channel: str
    target: str
    attempts_before: int
    content: dict[str, Any] = field(repr=False)
    webhook: WebhookRow | None = None  # the subscription a webhook goes to, as it was when claimed


class OutboxRows:
    """The dispatcher's side of the outbox, each call its own transaction."""

    def __init__(self, recorder: Any) -> None:
        self.d: Dialect = recorder.dialect
        self._db = recorder.datastore

    def claim(self, now: datetime, lease_until: datetime) -> Claimed | None:
        """Lease the pending delivery due soonest (not leased, or its lease run out) and record its
        attempt as begun; None when nothing is due."""
        d, now_stamp = self.d, stamp(now)
        lock = " FOR UPDATE SKIP LOCKED" if d.name == "postgres" else ""
        with self._db.transaction(commit=True) as c:
            c.execute(
                d.sql(
                    "UPDATE {outbox} SET leased_until = ?, attempts = attempts + 1 WHERE id = ("
                    "SELECT id FROM {outbox} WHERE state = 'pending' AND due_at <= ? "
                    "AND (leased_until IS NULL OR leased_until <= ?) ORDER BY due_at, id LIMIT 1"
                    f"{lock}) RETURNING id, notification_id, channel, target, attempts"
                ),
                (stamp(lease_until), now_stamp, now_stamp),
            )
            row = c.fetchone()
            if row is None:
                return None
            c.execute(
                d.sql("INSERT INTO {outbox_attempts} (outbox_id, number, started_at) VALUES (?, ?, ?)"),
                (row["id"], row["attempts"], now_stamp),
            )
            # The content and, for a webhook, its subscription in one look-up: a delivery costs the
            # claim's and the record's transactions and nothing more.
            c.execute(
                d.sql(
                    "SELECT n.content, w.id AS webhook_id, w.municipality, w.url, w.secret FROM {notifications} n "
                    "LEFT JOIN {webhooks} w ON w.id = ? AND ? = 'webhook' WHERE n.id = ?"
                ),
                (row["target"], row["channel"], row["notification_id"]),
            )
            found = c.fetchone()
        webhook = None
        if found["webhook_id"] is not None:
            webhook = WebhookRow(found["webhook_id"], found["municipality"], found["url"], bytes(found["secret"]))
        return Claimed(
            int(row["id"]),
            row["notification_id"],
            row["channel"],
            row["target"],
            int(row["attempts"]) - 1,
            orjson.loads(found["content"]),
            webhook,
        )

    def record(
        self,
        outbox_id: int,
        *,
        number: int,
        started_at: datetime,
        finished_at: datetime,
        outcome: str,
        status_code: int | None,
        error: str | None,
        state: str,
        next_attempt_at: datetime | None,
    ) -> None:
        """Complete attempt `number`, release the lease and set what happens next. A delivery once
        recorded as delivered stays so (a late report from an attempt whose lease ran out)."""
        d = self.d
        with self._db.transaction(commit=True) as c:
            c.execute(
                d.sql(
                    "INSERT INTO {outbox_attempts} (outbox_id, number, started_at, finished_at, outcome, "
                    "status_code, error) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (outbox_id, number) DO UPDATE "
                    "SET started_at = excluded.started_at, finished_at = excluded.finished_at, "
                    "outcome = excluded.outcome, status_code = excluded.status_code, error = excluded.error"
                ),
                (outbox_id, number, stamp(started_at), stamp(finished_at), outcome, status_code, error),
            )
            due = ", due_at = ?" if next_attempt_at is not None else ""
            params: list[Any] = [state, *([stamp(next_attempt_at)] if next_attempt_at is not None else []), outbox_id]
            c.execute(
                d.sql(
                    f"UPDATE {{outbox}} SET state = ?, leased_until = NULL{due} WHERE id = ? AND state <> 'delivered'"
                ),
                params,
            )

    def next_due(self) -> datetime | None:
        """When the soonest pending delivery is due (None: nothing pending)."""
        with self._db.transaction(commit=False) as c:
            c.execute(self.d.sql("SELECT MIN(due_at) AS due FROM {outbox} WHERE state = 'pending'"))
            row = c.fetchone()
        return None if row is None or row["due"] is None else datetime.fromisoformat(row["due"])


# --------------------------------------------------------------------- reads
def for_case(c: Any, d: Dialect, case_id: str, now: datetime) -> list[dict[str, Any]]:
    """Every notification decided for a case, oldest first, each with its deliveries and their attempts."""
    c.execute(
        d.sql(
            "SELECT id, type, rule, stage, assignee_kind, decided_at, content FROM {notifications} "
            "WHERE case_id = ? ORDER BY decided_at, id"
        ),
        (case_id,),
    )
    notes = [_notification(r) for r in c.fetchall()]
    if not notes:
        return []
    by_id = {n["id"]: n for n in notes}
    marks = ", ".join("?" for _ in by_id)
    c.execute(
        d.sql(
            "SELECT id, notification_id, channel, target, state, due_at, leased_until, attempts FROM {outbox} "
            f"WHERE notification_id IN ({marks}) ORDER BY id"
        ),
        list(by_id),
    )
    deliveries = {r["id"]: _delivery(r) for r in c.fetchall()}
    for outbox_id, attempt in _attempts(c, d, deliveries, now):
        deliveries[outbox_id]["attempts"].append(attempt)
    for delivery in deliveries.values():
        by_id[delivery.pop("notification_id")]["deliveries"].append(delivery)
    return notes


def dead_letters(
    c: Any, d: Dialect, municipality: str, now: datetime, *, limit: int, offset: int
) -> tuple[int, list[dict[str, Any]]]:
    """The municipality's dead-lettered deliveries, most recent first: (how many in all, a page)."""
    c.execute(d.sql("SELECT COUNT(*) AS n FROM {outbox} WHERE municipality = ? AND state = 'dead'"), (municipality,))
    total = int(c.fetchone()["n"])
    c.execute(
        d.sql(
            "SELECT o.id, o.notification_id, o.channel, o.target, o.state, o.due_at, o.leased_until, o.attempts, "
            "n.case_id, n.type, n.rule, n.stage, n.decided_at FROM {outbox} o JOIN {notifications} n "
            "ON n.id = o.notification_id WHERE o.municipality = ? AND o.state = 'dead' "
            f"ORDER BY o.due_at DESC, o.id DESC LIMIT {int(limit)} OFFSET {int(offset)}"
        ),
        (municipality,),
    )
    rows = c.fetchall()
    deliveries = {r["id"]: _delivery(r) for r in rows}
    for r in rows:
        deliveries[r["id"]]["notification"] = {
            "id": r["notification_id"],
            "case_id": r["case_id"],
            "type": r["type"],
            "rule": r["rule"],
            "stage": r["stage"],
            "decided_at": _iso(r["decided_at"]),
        }
    for outbox_id, attempt in _attempts(c, d, deliveries, now):
        deliveries[outbox_id]["attempts"].append(attempt)
    for delivery in deliveries.values():
        delivery.pop("notification_id")
    return total, list(deliveries.values())


def replay(c: Any, d: Dialect, municipality: str, outbox_id: int, now: datetime) -> bool:
    """A dead letter of the municipality goes out again now (its attempts so far are kept and counted
    on); False if there is no such dead letter."""
    c.execute(
        d.sql(
            "UPDATE {outbox} SET state = 'pending', due_at = ?, leased_until = NULL "
            "WHERE id = ? AND municipality = ? AND state = 'dead'"
        ),
        (stamp(now), outbox_id, municipality),
    )
    return rows_changed(c, d) == 1


def _notification(r: Any) -> dict[str, Any]:
    return {
        "id": r["id"],
        "type": r["type"],
        "rule": r["rule"],
        "stage": r["stage"],
        "assignee_kind": r["assignee_kind"],
        "decided_at": _iso(r["decided_at"]),
        "content": orjson.loads(r["content"]),
        "deliveries": [],
    }


def _delivery(r: Any) -> dict[str, Any]:
    return {
        "id": int(r["id"]),
        "notification_id": r["notification_id"],
        "channel": r["channel"],
        "target": r["target"],
        "state": r["state"],
        "due_at": _iso(r["due_at"]),
        "leased_until": _iso(r["leased_until"]),
        "attempts": [],
        "_made": int(r["attempts"]),
        "_leased": r["leased_until"],
    }


def _attempts(c: Any, d: Dialect, deliveries: dict[int, dict[str, Any]], now: datetime) -> list[tuple[int, Any]]:
    if not deliveries:
        return []
    marks = ", ".join("?" for _ in deliveries)
    c.execute(
        d.sql(
            "SELECT outbox_id, number, started_at, finished_at, outcome, status_code, error FROM {outbox_attempts} "
            f"WHERE outbox_id IN ({marks}) ORDER BY outbox_id, number"
        ),
        list(deliveries),
    )
    out = []
    now_stamp = stamp(now)
    for r in c.fetchall():
        delivery = deliveries[r["outbox_id"]]
        outcome = r["outcome"]
        if outcome is None:
            # Begun and never finished: still under way while its dispatcher's lease holds, else
            # cut off (the dispatcher stopped mid-delivery; the delivery was, or will be, sent again).
            leased = delivery["_leased"]
            under_way = r["number"] == delivery["_made"] and leased is not None and leased > now_stamp
            outcome = "in_progress" if under_way else "interrupted"
        out.append(
            (
                r["outbox_id"],
                {
                    "number": int(r["number"]),
                    "started_at": _iso(r["started_at"]),
                    "finished_at": _iso(r["finished_at"]),
                    "outcome": outcome,
                    "status_code": r["status_code"],
                    "error": r["error"],
                },
            )
        )
    for delivery in deliveries.values():
        delivery.pop("_made")
        delivery.pop("_leased")
    return out


def _iso(text: str | None) -> str | None:
    return None if text is None else datetime.fromisoformat(text).isoformat()


# ----------------------------------------------------------------- directory
def contacts(c: Any, d: Dialect, municipality: str) -> list[dict[str, Any]]:
    c.execute(
        d.sql(
            "SELECT kind, key, email, updated_at, updated_by FROM {contacts} WHERE municipality = ? ORDER BY kind, key"
        ),
        (municipality,),
    )
    return [
        {
            "kind": r["kind"],
            "key": r["key"],
            "email": r["email"],
            "updated_at": _iso(r["updated_at"]),
            "updated_by": r["updated_by"],
        }
        for r in c.fetchall()
    ]


def put_contact(c: Any, d: Dialect, municipality: str, kind: str, key: str, email: str, at: datetime, by: str) -> bool:
    """Set the address; True if the contact is new."""
    c.execute(
        d.sql("DELETE FROM {contacts} WHERE municipality = ? AND kind = ? AND key = ?"), (municipality, kind, key)
    )
    existed = rows_changed(c, d) == 1
    c.execute(
        d.sql(
            "INSERT INTO {contacts} (municipality, kind, key, email, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)"
        ),
        (municipality, kind, key, email, stamp(at), by),
    )
    return not existed


def delete_contact(c: Any, d: Dialect, municipality: str, kind: str, key: str) -> bool:
    c.execute(
        d.sql("DELETE FROM {contacts} WHERE municipality = ? AND kind = ? AND key = ?"), (municipality, kind, key)
    )
    return rows_changed(c, d) == 1


def add_webhook(c: Any, d: Dialect, row: WebhookRow, at: datetime, by: str) -> None:
    c.execute(
        d.sql(
            "INSERT INTO {webhooks} (id, municipality, url, secret, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)"
        ),
        (row.id, row.municipality, row.url, row.secret, stamp(at), by),
    )


def delete_webhook(c: Any, d: Dialect, municipality: str, webhook_id: str) -> bool:
    c.execute(d.sql("DELETE FROM {webhooks} WHERE id = ? AND municipality = ?"), (webhook_id, municipality))
    return rows_changed(c, d) == 1


def webhooks(c: Any, d: Dialect, municipality: str) -> list[dict[str, Any]]:
    """The subscriptions, without their secrets."""
    c.execute(
        d.sql("SELECT id, url, created_at, created_by FROM {webhooks} WHERE municipality = ? ORDER BY created_at, id"),
        (municipality,),
    )
    return [
        {"id": r["id"], "url": r["url"], "created_at": _iso(r["created_at"]), "created_by": r["created_by"]}
        for r in c.fetchall()
    ]


def reminders_by_rule(c: Any, d: Dialect, case_id: str) -> dict[str, list[dict[str, Any]]]:
    """The case's reminders grouped by rule, each with when it was decided and, per channel, when it
    was first delivered (None: not delivered): the report's evidence that the routine worked."""
    c.execute(
        d.sql(
            "SELECT n.id, n.rule, n.stage, n.assignee_kind, n.decided_at, o.channel, o.state, "
            "(SELECT MIN(a.finished_at) FROM {outbox_attempts} a WHERE a.outbox_id = o.id "
            "AND a.outcome = 'delivered') AS delivered_at FROM {notifications} n LEFT JOIN {outbox} o "
            "ON o.notification_id = n.id WHERE n.case_id = ? AND n.rule IS NOT NULL ORDER BY n.decided_at, n.id, o.id"
        ),
        (case_id,),
    )
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for r in c.fetchall():
        note = found.setdefault(r["rule"], {}).setdefault(
            r["id"],
            {
                "id": r["id"],
                "stage": r["stage"],
                "assignee_kind": r["assignee_kind"],
                "decided_at": _iso(r["decided_at"]),
                "deliveries": [],
            },
        )
        if r["channel"] is not None:
            note["deliveries"].append(
                {"channel": r["channel"], "state": r["state"], "delivered_at": _iso(r["delivered_at"])}
            )
    return {rule: list(notes.values()) for rule, notes in found.items()}


def decided_for(c: Any, d: Dialect, ids: Sequence[str]) -> set[str]:
    """Which of these notification ids are decided."""
    found: set[str] = set()
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), 500):  # within every store's limit of parameters
        chunk = unique[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        c.execute(d.sql(f"SELECT id FROM {{notifications}} WHERE id IN ({marks})"), chunk)
        found.update(r["id"] for r in c.fetchall())
    return found

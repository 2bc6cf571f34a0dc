"""Delivery of notifications (issue #11): e-mail over SMTP and signed webhooks, and the dispatcher
that takes due deliveries from an outbox. An adapter room above `store`: imports ledger, audit and
store's config errors; no FastAPI, no SQL (the SQL outbox lives in store/, behind `Outbox`)."""

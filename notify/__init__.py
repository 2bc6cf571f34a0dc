"""Delivery of notifications (issue #11): what a reminder says, deciding which reminders the duties
call for (written with the duties projection's cursor), e-mail over SMTP and signed webhooks, and the
dispatcher that takes due deliveries from an outbox. An adapter room above `store`: imports ledger,
audit and store (the SQL outbox's rows, the directory); no FastAPI, no SQL of its own."""

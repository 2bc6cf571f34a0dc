"""Integrity: what an event's hash and Merkle leaf are made of (chain), the
RFC 9162 tree (merkle), signed checkpoints, verification of the whole ledger
and of an exported bundle, and the chained access log."""

"""Test helpers, one module per purpose; the fixtures are registered in tests/conftest.py.

- `clock`: the controllable clock (`FakeClock`) and the suite's `TODAY`.
- `stores`: the two stores every storage test runs on, and the settings to build a ledger over one.
- `cases`: actors and ready-made cases written through `ledger.app.handle`.
- `refusals`: a refused command says why in bokmål and leaves the store as it was.
- `http`: the `Api` test client, problem+json assertions, a case walked over HTTP.
- `privacy`: a case full of personal data, and the raw store to scan for it.
- `memory`: the application's command surface over cases held in memory (no store).
- `story`: a case told step by step with dates, judged by the compliance rules.
- `scenarios`: who acts in the worked cases of SCENARIOS.md when the tests tell them.
"""

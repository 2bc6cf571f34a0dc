"""The web app: server-rendered pages (Jinja2, htmx, Designsystemet) beside
the API, for the people the ledger serves. An entrance like `api/`: it uses
the command and read services and never imports `app/`, which installs it
(`web.app.install`)."""

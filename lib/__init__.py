"""Shared helpers that import no app (as healthchecks has hc/lib): HTTP (`http`), the settings'
environment (`env`), the form renderer and widgets (`forms`), the 500/503 pages and /healthz
(`outage`), QR codes (`qr`) and the code's hash for stored reports' stamps (`code_version`).

Every app may import them; they import only Django and the guideline (the layers in pyproject.toml)."""

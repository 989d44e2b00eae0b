"""`profilex review`: reviewers check every extracted field against its highlighted source text.

- fields.py: what an item is in each field, its key value and what may be corrected
- anchoring.py: decisions anchored to items and re-attached after re-runs (pure)
- store.py: the append-only decision table (SQLite or PostgreSQL) and the export hook
- batch.py: records.jsonl and the document texts
- service.py: the app's operations, shared by HTML pages and JSON routes
- render.py, templates/, static/: the HTML
- server.py: the WSGI app and the stdlib server

For export: `apply_decisions(records, "extracted/review.sqlite")` (or the
decisions `load_decisions` returned) gives the records with a `review` status
on every item and rejected items dropped.
"""
from pipeline.review.store import apply_decisions, load_decisions

__all__ = ["apply_decisions", "load_decisions"]

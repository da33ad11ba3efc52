"""GitHub Actions integration (core, no UI).

Owns: the sticky pull-request status comment (body + upsert through a ``Forge``), job summaries, the
scheduled-campaign decision, the workflow templates and ``lpublish init`` scaffolding (config guessing,
AWS policies, the CloudFront Function). Front ends live in ``lpublish/cli/ci_cmd.py`` and
``lpublish/cli/init_cmd.py``. Must not import UI libraries.
"""

"""The asset engine: inspect, validate and fix images and SVG files for the site's slots.

Owns: ``inspect`` (what a file really is), ``validate`` (findings against a slot), ``fix`` (one-key
fixes that write a new, deterministic file), ``names`` (safe file names inside a slot folder), ``alt``
(the ``alt.toml`` sidecar). The whole-site check is ``lpublish.content.site_check``. Core code:
must not import UI libraries.
"""

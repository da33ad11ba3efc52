"""The site build: campaign pages, the static site generator, responsive images and the local preview.

Owns: ``campaigns`` (campaign model, validation, scheduling, writing new campaigns), ``markdown`` (safe
Markdown rendering), ``images`` (responsive variants + cache), ``build`` (``build_site``) and ``preview``
(``PreviewServer``), ``adapters`` (who builds the site) and ``own_files`` (what is never published).
Must not import UI libraries.
"""

"""The content model: slots as places in the site, round-trip edits of people's files, the reference
index (which page uses which image) and placing a change.

Sits between ``lpublish.assets`` (one image's checks and fixes) and ``lpublish.site`` (building): it
knows the site's files but never builds them. Must not import UI libraries.
"""

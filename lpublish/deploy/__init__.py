"""Deploying a built site: incremental, content-hash sync to S3 (or a directory) with CloudFront invalidation.

Owns: the planner (pure diff of the build against the remote manifest), per-path headers, the S3 and
directory targets, the lock, CDN invalidation planning, releases and rollback. Entry point:
``lpublish.deploy.engine``. Must not import UI libraries.
"""

"""Deploying a built site: incremental, content-hash sync to S3 (or a directory) with CloudFront invalidation.

One module per concern. ``engine`` (``deploy``: plan, guard, lock, write in safe order, commit) and
``rollback`` (restore a release, remove a preview) are the entry points; ``configured`` turns
``lpublish.toml`` or a ``--url``/``--bucket`` address into a ``Target`` and ``DeployOptions``
(``options``). Below them: ``desired`` (the build's files with headers), ``manifest`` (what is deployed;
scanning the build), ``walk`` (reading the folder without leaving it), ``plan`` (the pure diff and the
guards), ``headers``, ``cdn`` (invalidation paths), ``lease`` (``locked``: the deploy lock with
heartbeat and fencing), ``target`` (the ``Target`` protocol and the lock record), ``s3_target``,
``folder_target``, ``aws_errors``; ``report`` renders a result. Must not import UI libraries.
"""

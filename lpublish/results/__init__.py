"""Command results as one versioned JSON envelope, and back.

``envelope`` owns the envelope itself (``to_envelope`` / ``from_envelope``, the schema version, errors);
``codecs`` owns how each command's result dataclass becomes the envelope's ``result`` and back;
``types`` holds the result dataclasses of commands whose work has no core result type of its own.
The contract is documented in ``docs/dev/results.md``. Must not import UI libraries.
"""

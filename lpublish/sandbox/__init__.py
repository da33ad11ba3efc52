"""Practice mode and local stand-ins for external services.

Owns: ``forge`` (a package: the local GitHub-compatible HTTP server over real bare git repositories,
used by tests, benchmarks and practice mode) and ``practice`` (owned by the TUI engineer). Core code:
must not import UI libraries.
"""

"""Shared pytest fixtures (forge). Owned by the part of the code that provides the component."""

"""Shared pytest fixtures (gitrepos). Owned by the part of the code that provides the component."""

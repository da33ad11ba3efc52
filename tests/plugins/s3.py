"""Shared pytest fixtures (s3). Owned by the part of the code that provides the component."""

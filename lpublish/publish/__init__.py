"""Publishing: the git workspace, the forge (GitHub) interface, sign-in, drafts and the submit flow.

Owns: everything between "a designer prepared a change" and "a pull request is open" (and its later
status, updates and withdrawal). Core code: must not import UI libraries.
"""

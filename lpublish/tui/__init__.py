"""The designer's terminal UI (Textual): a thin layer over the lpublish core.

Owns: the Textual app, its screens, widgets and stylesheet. Screens call core functions in thread
workers and show the results; no domain logic lives here. Importing this package is cheap: the app
module and everything heavy load only when the TUI starts.
"""

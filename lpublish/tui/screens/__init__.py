"""The TUI's screens: one module per flow (home, images, campaign, submit, requests, sign-in, dialogs)."""

"""The command-line front end (click). Thin: parse arguments, call the core, render results."""

"""Entry point for the standalone executables (PyInstaller): the same ``lpublish`` command."""

from lpublish.cli.main import main

if __name__ == "__main__":
    main()

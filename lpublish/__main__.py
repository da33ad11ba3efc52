"""``python -m lpublish`` runs the command-line front end."""

from lpublish.cli.main import main

if __name__ == "__main__":
    main()

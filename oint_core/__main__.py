"""``python -m oint_core`` runs the CLI, for environments without the console script."""

from oint.console import main

main()

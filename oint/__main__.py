"""``python -m oint``: the same command as the ``oint`` console script."""

from oint_core.cli import main

main()

"""``python -m oint``: the same command as the ``oint`` console script."""

from oint.console import main

main()

"""``python -m oint`` runs the ``oint`` command; the library lives in ``oint_core``."""

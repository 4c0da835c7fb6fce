"""The type of ``oint_core.connect("cdek")``'s client, for type checkers and IDEs.

At run time ``CdekClient`` is ``oint_core.client.Client``, which finds CDEK's methods by name;
``client.pyi`` next to this module, generated from the methods' metadata
(``python tools/client_stubs.py``), declares each of them with its parameters' types.
"""

from __future__ import annotations

from oint_core.client import Client as CdekClient

__all__ = ["CdekClient"]

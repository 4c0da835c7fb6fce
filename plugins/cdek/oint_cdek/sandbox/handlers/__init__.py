"""Thin handlers of CDEK's endpoints, one module per resource. Each is a function
``(backend, request, client, **path_args) -> Response`` (``tokens.issue_token`` takes no
client); ``urls.py`` maps paths to them."""

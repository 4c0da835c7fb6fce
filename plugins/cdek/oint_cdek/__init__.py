"""The CDEK provider for oint (CDEK REST API v2), found through the ``oint.plugins`` entry point."""

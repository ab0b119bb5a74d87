"""The command line: ``python -m verify expr`` (``expr``) and ``python -m verify audit`` (``audit``)."""

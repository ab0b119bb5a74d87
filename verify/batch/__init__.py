"""Audit many engines in one command: a class's submissions, side by side or on a Dask cluster.

``specs`` turns ``--engine`` specs, globs and ``--engines FILE`` lists into labelled engines;
``fingerprint`` hashes an engine's files and the verifier; ``store`` keeps one result per engine in
``--out DIR`` under a key of those hashes, the seed and the options, so a re-run redoes only what
is missing; ``one`` audits one engine in a fresh process, exactly as ``python -m verify audit``
would alone; ``local`` runs jobs side by side here, ``cluster`` on Dask, ``runner`` is the front
of both (the soundness campaign uses it too); ``progress`` draws the
progress line, ``summary`` and ``index`` write the class summary; ``api.audit_many`` ties them.
Nothing here imports the auditor itself: each audit runs in its own process.
"""

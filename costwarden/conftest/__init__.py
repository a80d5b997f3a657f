"""``costwarden conftest``: conftest's ``test``, ``verify`` and ``parse`` with conftest's flags,
document shapes, results, output formats and exit codes, on the embedded Rego engine.

``parsers`` turns files into the documents conftest's parsers produce, ``engine`` evaluates
rules as conftest's engine does (one query per rule name and namespace, exceptions, success
counts), ``results`` is the one result model, ``outputs`` renders it in each format.
"""

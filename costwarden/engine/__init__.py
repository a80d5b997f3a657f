"""The pipeline: load -> enrich -> evaluate -> price -> ScanResult. ``scan.py`` runs it."""

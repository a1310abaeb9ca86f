"""Results feeds: PA Media's election XML (`pa.py` reads it, `pa_export.py` writes it)."""

"""Importers of results files. Each parses its files into plain dataclasses first (no
database), then applies them through results.services, the one write path of results."""

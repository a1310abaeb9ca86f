"""The House of Commons Library's general election results files: `layouts` tells the files
apart, `parse` reads and checks them into dataclasses, `apply` enters them through
results.services."""

from results.importers.hoc.apply import ImportSummary, import_results_csv
from results.importers.hoc.layouts import ResultsImportError

__all__ = ["ImportSummary", "ResultsImportError", "import_results_csv"]

"""Static files storage for production."""

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage


class HashedModulesStorage(ManifestStaticFilesStorage):
    """Hashed names, also in the ES modules' imports of each other (live.js imports
    ./seq.js, ./feed.js...): nginx caches a hashed file for a year and a plain one for
    minutes, so with plain names in the imports a reader could run a new live.js against
    the previous deploy's seq.js from their cache."""

    support_js_module_import_aggregation = True

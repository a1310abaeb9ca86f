"""The live blog's REST API (mounted under /api/v1/ by config.api_urls).

One APIView per operation (house style): reads in `reads.py`, writes in `writes.py`; every
write calls liveblog.services, so validation, permissions and the live broadcast are the
admin's own.
"""

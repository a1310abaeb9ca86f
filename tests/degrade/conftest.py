import psycopg
import pytest

from tests.degrade.servers import PostgresProcess


@pytest.fixture(scope="module")
def pg():
    """A PostgreSQL of the module's own, with the app's database `liveblog`; the module's
    tests stop and start it, and it is destroyed at the end whatever happened."""
    server = PostgresProcess()
    try:
        server.start()
        with psycopg.connect(server.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE liveblog")
        yield server
    finally:
        server.destroy()

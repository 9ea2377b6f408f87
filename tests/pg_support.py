"""A PostgreSQL schema of its own for one test (or one module): tests share one database and run
in parallel, so each gets a fresh, empty schema on its search_path, dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa


@contextmanager
def fresh_pg_schema(pg_url: str) -> Iterator[str]:
    """A URL of `pg_url`'s database whose search_path is a new, empty schema (dropped after);
    its connections carry the schema's name as application_name, so a test can find them."""
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(pg_url, poolclass=sa.NullPool)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = sa.make_url(pg_url).update_query_dict(
        {"options": f"-csearch_path={schema}", "application_name": schema}
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()

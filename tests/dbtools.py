"""Database helpers of the standalone checks (check_upgrade.py,
check_resume.py): a connection from an Odoo configuration file, a database
dropped with its filestore. Run from Odoo's environment (psycopg2)."""

import shutil
from pathlib import Path


def connect(conf, database):
    """A psycopg2 connection to ``database`` with the ``db_*`` options of
    ``conf`` (a ConfigParser of odoo.conf)."""
    import psycopg2  # noqa: PLC0415 - only Odoo's environment has it

    options = dict(conf.items("options"))
    return psycopg2.connect(
        dbname=database,
        host=options.get("db_host") or None,
        port=options.get("db_port") or None,
        user=options.get("db_user") or None,
        password=options.get("db_password") or None,
    )


def admin(conf, query):
    """Run ``query`` outside any transaction on the ``postgres`` database;
    its rows, if any."""
    connection = connect(conf, "postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(query)
            return cursor.fetchall() if cursor.description else None
    finally:
        connection.close()


def drop_database(conf, database):
    """Drop ``database`` (its connections closed) and its filestore."""
    admin(conf, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    data_dir = conf.get("options", "data_dir", fallback="")
    if data_dir:
        shutil.rmtree(Path(data_dir) / "filestore" / database, ignore_errors=True)

"""Logs and data: no bound parameter in database errors or their log lines."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from biotech_api.db import create_db_engine
from biotech_api.logs import JsonFormatter

SECRET = "alice.secret@example.org"


def _failing(make_settings: Any, sql: str, value: str) -> DBAPIError:
    engine = create_db_engine(make_settings())
    try:
        with engine.connect() as conn, pytest.raises(DBAPIError) as failed:
            conn.execute(text(sql), {"v": value})
    finally:
        engine.dispose()
    return failed.value


def test_database_errors_do_not_carry_parameters(make_settings: Any) -> None:
    # PostgreSQL's own message does not repeat this value; SQLAlchemy's would, without
    # hide_parameters ("[parameters: {'v': ...}]").
    exc = _failing(make_settings, "SELECT CAST(:v AS varchar(4))::int", SECRET)
    assert SECRET not in str(exc)
    assert "hidden due to hide_parameters" in str(exc)


def test_logged_database_errors_carry_no_values(make_settings: Any) -> None:
    # Here the server's message itself repeats the value (invalid input syntax ...: "<value>").
    exc = _failing(make_settings, "SELECT CAST(:v AS integer)", SECRET)
    assert SECRET in str(exc)
    try:
        raise exc
    except DBAPIError:
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "unhandled error", None, sys.exc_info())
    line = json.loads(JsonFormatter().format(record))
    assert SECRET not in json.dumps(line)
    assert line["exc_type"] == "DataError"
    assert "SQLSTATE 22P02" in line["exc"]

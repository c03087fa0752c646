"""A query's rows as a NumPy structured array, through PostgreSQL's binary COPY.

Reading a million rows through the driver builds a Python object per value (a list of floats
per vector): seconds of CPU and gigabytes of memory that are never given back to the system.
In COPY's binary form, every row of a query whose columns are all fixed-size and never NULL has
the same length, so the whole answer is one array with no parsing: a field count, then each
field's length and value, big-endian. Columns are described with the helpers below, in the
order the query selects them (each cast to the type named).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from django.db import connection

_HEADER = 19  # signature (11), flags (4), header extension length (4, zero)
_TRAILER = 2  # a field count of -1

Column = list[tuple]


def int2(name: str) -> Column:
    return [(f"_{name}_length", ">i4"), (name, ">i2")]


def int4(name: str) -> Column:
    return [(f"_{name}_length", ">i4"), (name, ">i4")]


def float4(name: str) -> Column:
    return [(f"_{name}_length", ">i4"), (name, ">f4")]


def vector(name: str, dimensions: int) -> Column:
    """A pgvector ``vector``: its dimension and an unused int16 before the floats."""
    return [
        (f"_{name}_length", ">i4"),
        (f"_{name}_dimensions", ">i2"),
        (f"_{name}_unused", ">i2"),
        (name, ">f4", dimensions),
    ]


def copy_rows(query: str, params: Sequence, columns: Sequence[Column]) -> np.ndarray:
    """The rows of ``query`` (with ``params``), one record each with the fields ``columns``
    name (big-endian: read them with ``.astype``)."""
    row = np.dtype([("_fields", ">i2"), *(field for column in columns for field in column)])
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        sql = cursor.mogrify(query, params).decode()
        cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT binary)", buffer)
    return np.frombuffer(buffer.getbuffer()[_HEADER:-_TRAILER], row)

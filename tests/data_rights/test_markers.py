"""Every column that holds a runner's identity is marked, so /export and /forget find it.

These checks read the tables as declared (``bot.storage.tables.metadata``), so a
table added later with an unmarked ``user_id`` or ``display_name`` fails here.
"""

from __future__ import annotations

import re

from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, Text

from bot.storage.personal import MODES, USER_TARGET, identifying, mode, plan
from bot.storage.tables import PERSONAL_ANONYMIZE, PERSONAL_DELETE, metadata, users

# Names that say "this is who a row belongs to" or "this is what they are called".
PERSONAL_NAME = re.compile(
    r"^(user_id|.+_user_id|user_ids|runner_id|.+_runner_id|member_id|.+_member_id|"
    r"platform_user_id|platform_id|display_name|.+_display_name|username|user_name|"
    r"first_name|last_name|full_name|email|phone)$"
)


def looks_personal(column: Column[object]) -> bool:
    """Named like an identity, a DM target (text ``target``), or a reference to a runner."""
    if PERSONAL_NAME.match(column.name):
        return True
    if column.name == "target" and isinstance(column.type, Text):
        return True
    return any(fk.column.table.name == users.name for fk in column.foreign_keys)


def problems(schema: MetaData) -> list[str]:
    """Everything wrong with a schema's personal-data markers."""
    found = []
    for table in schema.sorted_tables:
        for column in table.c:
            where = f"{table.name}.{column.name}"
            marked = mode(column)
            if marked is None:
                if looks_personal(column):
                    found.append(f"{where} looks personal but has no info={{'personal': ...}}")
                continue
            if marked not in MODES:
                found.append(f"{where}: unknown marker {marked!r} (delete or anonymize)")
            if column.info.get("match", USER_TARGET) != USER_TARGET:
                found.append(f"{where}: unknown match {column.info['match']!r}")
            if marked == "anonymize" and not column.nullable:
                found.append(f"{where} is anonymized (set to NULL) but NOT NULL")
        if any(mode(c) for c in table.c) and not any(identifying(c) for c in table.c):
            found.append(
                f"{table.name}: marked columns, but none says whose row it is (an integer "
                "user id column marked, or a text column with 'match': 'user_target')"
            )
    planned = {p.table.name for p in plan([1], schema)}
    for table in schema.sorted_tables:
        if any(mode(c) for c in table.c) and table.name not in planned:
            found.append(f"{table.name}: /export and /forget would not find its rows")
    return found


def test_every_table_marks_the_columns_that_identify_a_runner() -> None:
    assert problems(metadata) == []


# Tables that hold no runner's rows: a club and its challenges belong to the group.
CLUB_TABLES = {"clubs", "challenges"}
# Tables of the service itself: the Discord command schema last uploaded.
SERVICE_TABLES = {"synced_commands"}


def test_the_runner_tables_are_all_covered() -> None:
    planned = {p.table.name for p in plan([1])}
    assert planned == {t.name for t in metadata.sorted_tables} - CLUB_TABLES - SERVICE_TABLES


def test_an_unmarked_table_added_later_is_caught() -> None:
    schema = MetaData()
    users.to_metadata(schema)
    Table(
        "challenge_entries",
        schema,
        Column("id", Integer, primary_key=True),
        Column("member_user_id", Integer, ForeignKey("users.id")),
        Column("display_name", Text),
    )
    Table(
        "board_names",
        schema,
        Column("id", Integer, primary_key=True),
        Column("display_name", Text, info=PERSONAL_DELETE),
    )
    Table(
        "results",
        schema,
        Column("id", Integer, primary_key=True),
        Column("user_id", Integer, nullable=False, info=PERSONAL_ANONYMIZE),
        Column("target", Text),
    )

    found = problems(schema)

    assert any(p.startswith("challenge_entries.member_user_id looks personal") for p in found)
    assert any(p.startswith("challenge_entries.display_name looks personal") for p in found)
    assert any(p.startswith("board_names: marked columns, but none says") for p in found)
    assert any(p.startswith("results.user_id is anonymized") for p in found)
    assert any(p.startswith("results.target looks personal") for p in found)

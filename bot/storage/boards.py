"""A challenge's board as SQL: one statement for the live board, one ranking for freezing.

Both rank the kept tallies (``challenge_members.value``) the same way: the score, then
whoever reached it first, then the earlier join. Run by ``ClubRepository`` (``clubs.py``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    select,
    true,
    tuple_,
    union,
)

from bot.challenge_metrics import CHALLENGE_METRICS
from bot.models import Challenge
from bot.storage.tables import challenge_members, users

_M = challenge_members.c


# Lower than any time: a member of a fastest challenge with no effort yet (0) ranks last.
_NOTHING_YET = -1e15


def _score(value: Any, ascending: bool) -> Any:
    """What the board ranks by, the higher the better: the value, or for a metric ranked
    ascending (fastest) the time negated, nothing yet last."""
    if not ascending:
        return value
    return case((value > 0, -value), else_=literal(_NOTHING_YET))


# The board's order: the score, then whoever reached it first (the earlier log by which
# they got there), then the earlier join. The index ``challenge_members_board`` holds it
# for metrics ranked by their value.
def _order(m: Any, ascending: bool = False) -> tuple[Any, ...]:
    return (_score(m.c.value, ascending).desc(), m.c.reached, m.c.joined_at, m.c.user_id)


def _tie_key(m: Any) -> Any:
    """Among equal values, the order as one comparable row.

    A tally is 0 exactly when nothing counted (no latest id), so within equal values
    ``reached`` is NULL for all or for none: 0 stands in for NULL without changing the
    order, and keeps the comparison free of each dialect's NULL ordering.
    """
    return tuple_(func.coalesce(m.c.reached, 0), m.c.joined_at, m.c.user_id)


def board_statement(ascending: bool = False) -> Select[Any]:
    """The board in one statement: ranks, board order, member count and team total.

    Each member's tally is kept by the unit of work (``storage/challenge_counts.py``). The top
    rows come in order from the board-order index; ranked among themselves they hold
    their ranks and positions on the whole board (everyone ahead of a top row is a top
    row too). The viewer's rank is one more than the members ahead of them (equal
    values share a rank: 1, 2, 2, 4), their position adds the equal values before them;
    those counts, the member count and the total come from one pass over the members.
    Parameters: ``challenge_id``, ``viewer`` (None: nobody) and ``top``. ``ascending``:
    for a metric where lower is better (fastest).
    """
    challenge_id = bindparam("challenge_id", type_=Integer)
    viewer_id = bindparam("viewer", type_=Integer)
    other = challenge_members.alias("other")
    me = challenge_members.alias("me")
    is_me = and_(me.c.challenge_id == challenge_id, me.c.user_id == viewer_id)

    def mine(column: Any) -> Any:  # evaluated once per statement, not per member
        return select(column).where(is_me).scalar_subquery()

    theirs = other.c.challenge_id == challenge_id
    their_score = _score(other.c.value, ascending)
    my_score = mine(_score(me.c.value, ascending))
    my_key = tuple_(mine(func.coalesce(me.c.reached, 0)), mine(me.c.joined_at), viewer_id)
    before_me = and_(their_score == my_score, _tie_key(other) < my_key)
    stats = (
        select(
            func.count().label("members"),
            func.coalesce(func.sum(other.c.value), 0.0).label("total"),
            func.count(case((their_score > my_score, 1))).label("ahead"),
            func.count(case((before_me, 1))).label("level"),
        )
        .where(theirs)
        .cte("stats")
    )
    top = (
        select(other.c.user_id, other.c.value, other.c.reached, other.c.joined_at)
        .where(theirs)
        .order_by(*_order(other, ascending))
        .limit(bindparam("top", type_=Integer))
        .subquery("top")
    )
    leaders = select(
        top.c.user_id,
        top.c.value,
        func.rank().over(order_by=_score(top.c.value, ascending).desc()).label("rank"),
        func.row_number().over(order_by=_order(top, ascending)).label("position"),
    )
    viewer = (
        select(
            me.c.user_id,
            me.c.value,
            (stats.c.ahead + 1).label("rank"),
            (stats.c.ahead + stats.c.level + 1).label("position"),
        )
        .select_from(me.join(stats, true()))
        .where(is_me)
    )
    shown = union(leaders, viewer).subquery("shown")
    return (
        select(shown, stats.c.members, stats.c.total, users.c.display_name, users.c.boards_hidden)
        .join(users, users.c.id == shown.c.user_id)
        .join(stats, true())
        .order_by(shown.c.position)
    )


# Built once: building this statement costs more Python than running it.
BOARD_STATEMENTS = {ascending: board_statement(ascending) for ascending in (False, True)}


def ranks_ascending(challenge: Challenge) -> bool:
    """Whether lower is better on this challenge's board (fastest)."""
    return CHALLENGE_METRICS[challenge.metric].ascending


def ranking_statement(challenge: Challenge) -> Select[Any]:
    """Every member ranked with window functions (freezing results): as the board ranks."""
    m = challenge_members
    ascending = ranks_ascending(challenge)
    ranked = (
        select(
            _M.user_id,
            _M.value,
            func.rank().over(order_by=_score(_M.value, ascending).desc()).label("rank"),
            func.row_number().over(order_by=_order(m, ascending)).label("position"),
            func.count().over().label("members"),
            func.sum(_M.value).over().label("total"),
        )
        .where(_M.challenge_id == challenge.id)
        .subquery("ranked")
    )
    return (
        select(ranked, users.c.display_name, users.c.boards_hidden)
        .join(users, users.c.id == ranked.c.user_id)
        .order_by(ranked.c.position)
    )

"""Comments and agreed actions (issue 15): versioned, append-only, region-scoped, plain text."""

from datetime import date

import pytest

from tests.test_write_scope import HARTLEPOOL, LONDON, NORTH_EAST, person, refusals
from warehouse.access import PermissionRefused
from warehouse.commentary import (
    MAX_COMMENT_CHARS,
    InvalidEntry,
    Subject,
    action_versions,
    actions_export,
    actions_for,
    comment_versions,
    comments_for,
    mark_discussed,
    overdue_actions,
    overdue_sentence,
    write_action,
    write_comment,
)

HOSTILE = "<img src=x onerror=alert(1)> [x](javascript:alert(1)) ![x](http://127.0.0.1:9/x.png)"
HERE = Subject(region_code=NORTH_EAST, indicator_id="NI 116", area_code=HARTLEPOOL)


def test_editing_a_comment_twice_keeps_three_versions_and_shows_the_last(memory_con):
    official = person("official")
    comment_id, first = write_comment(memory_con, official, HERE, "First reading")
    _, second = write_comment(memory_con, official, HERE, "Second", comment_id=comment_id)
    _, third = write_comment(memory_con, official, HERE, "Third", comment_id=comment_id)
    assert (first, second, third) == (1, 2, 3)
    versions = comment_versions(memory_con, comment_id)
    assert versions["body"].to_list() == ["First reading", "Second", "Third"]
    assert versions["current"].to_list() == [False, False, True]
    shown = comments_for(memory_con, NORTH_EAST, area_code=HARTLEPOOL)
    assert shown["body"].to_list() == ["Third"]


def test_comment_text_is_stored_exactly_as_typed(memory_con):
    comment_id, _ = write_comment(memory_con, person("analyst"), HERE, HOSTILE)
    assert comments_for(memory_con, NORTH_EAST)["body"].to_list() == [HOSTILE]
    assert comment_versions(memory_con, comment_id)["body"].to_list() == [HOSTILE]


def test_a_comment_too_long_or_empty_is_refused_with_a_sentence(memory_con):
    with pytest.raises(InvalidEntry, match=r"2,001 characters; the limit is 2,000"):
        write_comment(memory_con, person("official"), HERE, "x" * (MAX_COMMENT_CHARS + 1))
    with pytest.raises(InvalidEntry, match="empty"):
        write_comment(memory_con, person("official"), HERE, "   ")
    assert comments_for(memory_con, NORTH_EAST).is_empty()


def test_writes_need_the_role_and_the_region(memory_con):
    with pytest.raises(PermissionRefused):
        write_comment(memory_con, person("minister"), HERE, "A minister does not comment")
    london = person("official", regions=(LONDON,))
    with pytest.raises(PermissionRefused):
        write_comment(memory_con, london, HERE, "Not my region")
    assert (london.email, "comment", NORTH_EAST) in refusals(memory_con)
    # An area that is not in the region named is refused too, whatever the user's scope.
    elsewhere = Subject(region_code=NORTH_EAST, area_code="E09000002")
    with pytest.raises(InvalidEntry, match="not in region E12000001"):
        write_comment(memory_con, person("official"), elsewhere, "Barking is in London")
    assert comments_for(memory_con, NORTH_EAST).is_empty()


def test_an_action_is_versioned_and_a_minister_marks_it_discussed(memory_con):
    official = person("official")
    action_id, _ = write_action(
        memory_con, official, HERE, "Meet the school nurses", "DH", date(2009, 5, 1)
    )
    write_action(
        memory_con,
        official,
        HERE,
        "Meet the school nurses",
        "DH",
        date(2009, 6, 1),
        action_id=action_id,
    )
    assert mark_discussed(memory_con, person("minister"), action_id) == 3
    write_action(
        memory_con,
        official,
        HERE,
        "Meet the school nurses",
        "DH",
        date(2009, 6, 1),
        status="done",
        action_id=action_id,
    )
    versions = action_versions(memory_con, action_id)
    assert versions["version"].to_list() == [1, 2, 3, 4]
    assert versions["status"].to_list() == ["open", "open", "open", "done"]
    # Discussed carries over to the edit after it.
    assert versions["discussed"].to_list() == [False, False, True, True]
    assert actions_for(memory_con, NORTH_EAST)["status"].to_list() == ["done"]


def test_overdue_actions_are_open_ones_past_their_date(memory_con):
    official = person("official")
    write_action(memory_con, official, HERE, "Late one", "DCSF", date(2009, 1, 1))
    write_action(memory_con, official, HERE, "Due later", "DCSF", date(2009, 12, 1))
    write_action(memory_con, official, HERE, "Done late", "DCSF", date(2009, 1, 1), "done")
    late = overdue_actions(memory_con, NORTH_EAST, today=date(2009, 6, 1))
    assert late["what"].to_list() == ["Late one"]
    assert overdue_sentence(late.height) == "1 action is past its due date."
    assert overdue_sentence(3) == "3 actions are past their due date."


def test_the_actions_export_neutralises_formulas(memory_con):
    write_action(
        memory_con,
        person("official"),
        HERE,
        '=HYPERLINK("http://x")',
        "@SUM(A1)",
        date(2009, 1, 1),
    )
    exported = actions_export(memory_con, NORTH_EAST).row(0, named=True)
    assert exported["What was agreed"] == '\'=HYPERLINK("http://x")'
    assert exported["Owner"] == "'@SUM(A1)"


def test_reads_of_another_region_are_refused_and_audited(memory_con):
    from warehouse.scope import check_scope

    write_action(
        memory_con, person("official"), HERE, "Only for the North East", "DH", date.today()
    )
    london = person("minister", regions=(LONDON,))
    for function in (actions_for, comments_for, overdue_actions):
        with pytest.raises(PermissionRefused):
            check_scope(memory_con, london, function, (NORTH_EAST,), {})
    assert (london.email, "view", NORTH_EAST) in refusals(memory_con)


def test_the_command_line_lists_and_exports_actions(tmp_path, capsys):
    import polars as pl

    from pipelines.cli import main
    from tests.conftest import lake_settings
    from warehouse import open_warehouse

    settings = lake_settings(tmp_path / "data")
    con = open_warehouse(settings)
    write_action(con, "cli", HERE, "=cmd|' /C calc'!A0", "DH", date(2009, 1, 1))
    con.close()
    assert main(["actions", "--region", NORTH_EAST], settings=settings) == 0
    assert "'=cmd" in capsys.readouterr().out
    output = tmp_path / "actions.xlsx"
    assert (
        main(["actions", "--region", NORTH_EAST, "--output", str(output)], settings=settings) == 0
    )
    assert pl.read_excel(output)["What was agreed"].to_list() == ["'=cmd|' /C calc'!A0"]
    assert main(["actions", "--region", "E12000099"], settings=settings) == 2

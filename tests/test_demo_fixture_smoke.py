from warehouse.batches import list_batches


def test_demo_warehouse_has_reference_and_its_demo_batches(demo_con):
    kinds = list_batches(demo_con)["kind"].to_list()
    # Two value releases, targets, the programme register (two kinds) and three actions.
    assert sorted(kinds) == [
        "action",
        "action",
        "action",
        "indicators",
        "indicators",
        "programme_areas",
        "programmes",
        "reference",
        "targets",
    ]

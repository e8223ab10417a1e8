from warehouse.batches import list_batches


def test_demo_warehouse_has_reference_and_three_demo_batches(demo_con):
    kinds = list_batches(demo_con)["kind"].to_list()
    assert sorted(kinds) == ["indicators", "indicators", "reference", "targets"]

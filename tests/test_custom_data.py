"""The playground's own data (lab/custom_data.py): CSV and link formats, limits, clear refusals."""
import numpy as np
import pytest

from lab import custom_data as cd

GOOD = "x,y,label\n0.5,1.2,0\n-1,0.3,1\n0.25,-0.75,0\n1,1,1\n2,-1,0\n-2,2,1\n"


def test_a_csv_reads_and_round_trips_through_the_link_and_back_to_csv():
    pts = cd.parse_csv(GOOD)
    assert pts[0] == (0.5, 1.2, 0) and len(pts) == 6
    assert cd.decode(cd.encode(pts)) == pts
    assert cd.parse_csv(cd.to_csv(pts)) == pts
    assert cd.parse_csv(GOOD.encode("utf-8")) == pts
    assert cd.parse_csv("\ufeff" + GOOD) == pts  # a spreadsheet's byte-order mark


@pytest.mark.parametrize("text, code", [
    ("x,y,label\n1,2\n", "columns"), ("1,2,3,4\n", "columns"), ("a,b\nx,1,0\n", "not_number"),
    ("1,nan,0\n", "not_number"), ("1,inf,0\n", "not_number"), ("1,1_0,0\n", "not_number"), ("1,2,2\n", "label"),
    ("1,2,0.5\n", "label"), ("9,0,1\n", "range"), ("x,y,label\n", "empty"), ("", "empty"),
    ("0,0,0\n" * (cd.MAX_POINTS + 1), "too_many"), (b"\xff\xfe\x00", "not_utf8"), (b"0,0,0\n" * 4000, "too_large"),
    ("x,y,label\n=cmd|' /c calc'!A0,1,0\n", "not_number")])
def test_malformed_files_are_refused_with_the_problem_named(text, code):
    with pytest.raises(cd.DataError) as err:
        cd.parse_csv(text)
    assert err.value.code == code and len(str(err.value)) < 200


@pytest.mark.parametrize("text", ["1:2", "1:2:3", "a:b:0", "1e999:0:0", "0:0:0;" * 400, "5:5:1"])
def test_bad_link_points_are_refused(text):
    with pytest.raises(cd.DataError):
        cd.decode(text)


def test_a_dataset_from_points_splits_each_class_and_needs_enough_of_each():
    pts = cd.parse_csv(GOOD)
    ds = cd.dataset(pts, test_ratio=0.34, seed=1)
    assert ds.n_classes == 2 and ds.x_train.shape[1] == 2
    assert set(ds.y_train) == {0, 1} and set(ds.y_test) == {0, 1}
    assert len(ds.y_train) + len(ds.y_test) == len(pts)
    with pytest.raises(cd.DataError):
        cd.dataset(pts[:4])
    assert np.array_equal(cd.dataset(pts, 0.34, 1).x_train, ds.x_train)  # seeded


def test_nearest_finds_a_point_to_remove():
    pts = cd.parse_csv(GOOD)
    assert cd.nearest(pts, 0.52, 1.18) == 0 and cd.nearest(pts, 3.9, -3.9) is None and cd.nearest((), 0, 0) is None

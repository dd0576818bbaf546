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


def test_a_refusal_names_the_line_or_the_entry_it_is_about():
    for text, code, line in (("x,y,label\n0,0,0\n1,1,7\n", "label", 3), ("0,0,0\n5,0,1\n", "range", 2),
                             ("x,y,label\n\n0,zero,0\n", "not_number", 3), ("0.5;1.2;0\n", "columns", 1)):
        with pytest.raises(cd.DataError) as err:
            cd.parse_csv(text)
        assert (err.value.code, err.value.params["line"]) == (code, line)
    with pytest.raises(cd.DataError) as err:
        cd.decode("0:0:0;1:1:1;2:2")
    assert (err.value.code, err.value.params["line"]) == ("columns", 3)


def test_a_header_has_words_and_a_point_written_with_semicolons_is_not_one():
    assert cd.parse_csv("X, Y, Label\n1,2,0\n") == ((1.0, 2.0, 0),)
    assert cd.parse_csv("가로,세로,클래스\n1,2,0\n") == ((1.0, 2.0, 0),)
    with pytest.raises(cd.DataError):
        cd.parse_csv("1;2;0\n")


def test_a_click_adds_or_removes_one_point():
    pts = cd.parse_csv(GOOD)
    assert cd.counts(pts) == (3, 3) and cd.missing(pts) == (0, 0) and cd.ready(pts)
    assert cd.missing(pts[:3]) == (1, 2) and not cd.ready(pts[:3])
    more = cd.added(pts, 1.234, -0.5, 1)
    assert more == (*pts, (1.23, -0.5, 1)) and cd.added(more, 1.23, -0.5, 1) == more  # no second copy
    assert cd.removed(more, 1.3, -0.45) == pts and cd.removed(more, 3.9, 3.9) == more
    full = tuple((0.01 * i, 0.0, i % 2) for i in range(cd.MAX_POINTS))
    with pytest.raises(cd.DataError) as err:
        cd.added(full, 1, 1, 0)
    assert err.value.code == "too_many"
    with pytest.raises(cd.DataError):
        cd.added(pts, 4.2, 0, 0)


def test_the_longest_link_fits_the_limits():
    full = tuple((round(-3.99 + 0.01 * (i % 7), 2), -3.99, i % 2) for i in range(cd.MAX_POINTS))
    text = cd.encode(full)
    assert cd.decode(text) == full and len(text) <= cd.MAX_POINTS * 24

"""Domain functions: needle depth, layer at depth, profiles, and clear errors on bad input."""
from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mesolab.skin import (MAX_DEPTH_MM, dermis_range_mm, layer_at_depth, needle_tip_depth_mm, region_ids,
                          skin_profile)


@pytest.mark.parametrize("length, angle, depth", [(4, 30, 2.0), (4, 90, 4.0), (4, 0, 0.0), (3, 15, 0.7765),
                                                  (6, 20, 2.0521), (13, 45, 9.1924)])
def test_needle_tip_depth_is_length_times_sine(length, angle, depth):
    assert needle_tip_depth_mm(length, angle) == pytest.approx(depth, abs=1e-4)


def test_woman_cheek_profile_comes_from_meng22():
    profile = skin_profile("cheek", "female")
    assert profile.dermis_mm == pytest.approx(0.87)
    assert profile.skin_thickness_mm == pytest.approx(0.195 + 0.87)
    assert "Meng22" in profile.sources
    assert [band.layer_id for band in profile.bands] == [
        "stratum_corneum", "epidermis", "papillary_dermis", "reticular_dermis", "hypodermis"]
    tops = [band.top_mm for band in profile.bands]
    assert tops == sorted(tops)


def test_upper_eyelid_is_the_thinnest_and_men_thicker_than_women():
    thickness = {(r, s): skin_profile(r, s).dermis_mm for r in region_ids() for s in ("female", "male")}
    assert min(thickness, key=thickness.get) == ("upper_eyelid", "female")
    for region in ("forehead", "glabella", "temple", "upper_eyelid", "nasal_dorsum", "cheek"):
        assert thickness[(region, "male")] > thickness[(region, "female")]
    assert dermis_range_mm() == (0.58, 1.17)


@pytest.mark.parametrize("depth, layer", [(0, "stratum_corneum"), (0.005, "stratum_corneum"), (0.1, "epidermis"),
                                          (0.3, "papillary_dermis"), (0.8, "reticular_dermis"),
                                          (1.5, "hypodermis"), (4.0, "hypodermis_or_deeper")])
def test_layer_at_depth_in_a_woman_cheek(depth, layer):
    assert layer_at_depth("cheek", depth, "female").layer_id == layer


def test_boundaries_belong_to_the_upper_layer():
    profile = skin_profile("forehead", "male")
    junction = profile.skin_thickness_mm
    assert layer_at_depth("forehead", junction, "male").layer_id == "reticular_dermis"
    assert layer_at_depth("forehead", junction + 1e-6, "male").layer_id == "hypodermis"


def test_measured_fat_gives_a_layer_below_it():
    profile = skin_profile("perioral", "female")
    assert profile.bands[-1].bottom_mm == pytest.approx(profile.skin_thickness_mm + 5.14)
    assert layer_at_depth("perioral", 6.0, "female").layer_id == "hypodermis"
    assert layer_at_depth("perioral", 7.0, "female").layer_id == "below_hypodermis"


def test_assumed_regions_are_labelled():
    for region in ("perioral", "chin"):
        band = skin_profile(region).band("reticular_dermis")
        assert band.assumed and "assumed" in band.basis
    assert not skin_profile("cheek").band("reticular_dermis").assumed


def test_region_names_are_forgiving_about_case_and_spaces():
    assert skin_profile("Upper eyelid").region_id == "upper_eyelid"
    assert skin_profile(" NASAL-DORSUM ").region_id == "nasal_dorsum"
    assert skin_profile("zygoma").region_id == "cheek"


@pytest.mark.parametrize("call, message", [
    (lambda: needle_tip_depth_mm(-1, 30), "inserted_length_mm must be between 0 and 25 mm, got -1"),
    (lambda: needle_tip_depth_mm(4, 91), "angle_deg must be between 0 and 90 degrees, got 91"),
    (lambda: needle_tip_depth_mm(4, -5), "angle_deg must be between 0 and 90"),
    (lambda: needle_tip_depth_mm(400, 30), "inserted_length_mm must be between 0 and 25 mm"),
    (lambda: needle_tip_depth_mm("4", 30), "inserted_length_mm must be a number in mm, got str"),
    (lambda: needle_tip_depth_mm(4, float("nan")), "angle_deg must be a finite number"),
    (lambda: needle_tip_depth_mm(True, 30), "must be a number in mm, got bool"),
    (lambda: layer_at_depth("cheek", -0.1), "depth_mm must be between 0 and 25 mm"),
    (lambda: layer_at_depth("cheek", 250), "depth_mm must be between 0 and 25 mm"),
    (lambda: layer_at_depth("nose", 1), "unknown region 'nose'; valid regions: forehead, glabella, temple, "
                                        "upper_eyelid, nasal_dorsum, cheek, perioral, chin"),
    (lambda: layer_at_depth(None, 1), "unknown region None"),
    (lambda: skin_profile("cheek", "other"), "unknown sex 'other'; valid sexes: female, male"),
])
def test_bad_input_raises_a_clear_value_error(call, message):
    with pytest.raises(ValueError) as error:
        call()
    assert message in str(error.value)


@given(length=st.floats(0, 25), angle=st.floats(0, 90), region=st.sampled_from(region_ids()),
       sex=st.sampled_from(["female", "male"]))
def test_every_valid_needle_lands_in_a_named_layer(length, angle, region, sex):
    depth = needle_tip_depth_mm(length, angle)
    assert 0 <= depth <= length + 1e-12 <= MAX_DEPTH_MM + 1e-12
    band = layer_at_depth(region, depth, sex)
    assert band.name and (band.top_mm <= depth or math.isclose(band.top_mm, depth))


@given(value=st.one_of(st.text(), st.none(), st.lists(st.integers()), st.floats(allow_nan=True),
                       st.integers(-10**6, 10**6)))
def test_no_input_gives_anything_but_a_value_error(value):
    for call in (lambda: needle_tip_depth_mm(value, 30), lambda: needle_tip_depth_mm(4, value),
                 lambda: layer_at_depth(value, 1), lambda: layer_at_depth("cheek", value)):
        try:
            call()
        except ValueError:
            pass

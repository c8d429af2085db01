"""The cross-section explorer without a browser: callbacks, text, figure, accessibility hooks."""
from __future__ import annotations

import pytest

from mesolab.plots.skin import depth_scale_mm
from mesolab.widgets import SkinCrossSectionExplorer
from mesolab.readings.skin import read_needle


def test_reading_names_depth_layer_and_sources():
    reading = read_needle("cheek", "female", 4, 30)
    assert reading.tip_depth_mm == pytest.approx(2.0)
    assert reading.summary.startswith("Tip 2.00 mm deep → Hypodermis")
    assert "Meng22" in reading.summary and "0.87 mm by ultrasound" in reading.summary
    assert "drawn to scale" in reading.description and "2.00 mm deep" in reading.description


def test_assumed_region_says_so():
    assert "assumed dermis" in read_needle("chin", "male", 1, 30).summary


def test_moving_a_control_updates_text_and_figure():
    explorer = SkinCrossSectionExplorer()
    before_text, before_png = explorer.readout.value, bytes(explorer.image.value)
    assert before_png.startswith(b"\x89PNG")
    explorer.angle.value = 10
    assert explorer.readout.value != before_text
    assert bytes(explorer.image.value) != before_png
    assert "0.69 mm deep" in explorer.readout.value  # 4 mm × sin 10°
    explorer.length.value = 1.0
    assert "0.17 mm deep → Epidermis" in explorer.readout.value
    explorer.region.value = "upper_eyelid"
    assert "Upper eyelid" in explorer.readout.value
    explorer.sex.value = "male"
    assert "(male)" in explorer.readout.value
    assert "Figure description" in explorer.screen_reader_text.value


def test_every_slider_position_gives_a_reading():
    explorer = SkinCrossSectionExplorer()
    for region in [value for _, value in explorer.region.options]:
        explorer.region.value = region
        for angle in (explorer.angle.min, 45, explorer.angle.max):
            for length in (explorer.length.min, explorer.length.max):
                explorer.angle.value, explorer.length.value = angle, length
                assert explorer.readout.value.count("Tip ") == 1


def test_controls_are_labelled_and_carry_test_classes():
    explorer = SkinCrossSectionExplorer()
    for control in (explorer.region, explorer.sex, explorer.length, explorer.angle):
        assert control.description
    assert "mesolab-tip-readout" in explorer.readout._dom_classes
    assert 'aria-live="polite"' in explorer.readout.value


def test_bad_start_values_fail_with_the_domain_message():
    with pytest.raises(ValueError, match="unknown region 'nose'"):
        SkinCrossSectionExplorer(region="nose")


def test_the_depth_scale_shows_the_needle_and_the_skin():
    for skin, tip, across in [(0.8, 0.1, 0.5), (1.4, 2.0, 3.5), (1.1, 13.0, 0.0), (1.1, 1.1, 12.95)]:
        scale = depth_scale_mm(skin, tip, across)
        assert scale >= tip and scale >= skin and scale * 2.4 >= across

"""The knowledge base: schema, sources, and error messages that name file and field."""
from __future__ import annotations


import pytest

from mesolab.knowledge import KnowledgeError, knowledge, load

REQUIRED_REGIONS = {"forehead", "glabella", "temple", "upper_eyelid", "nasal_dorsum", "cheek", "perioral", "chin"}
REQUIRED_LAYERS = ["stratum_corneum", "epidermis", "papillary_dermis", "reticular_dermis", "hypodermis"]


def test_loads_and_covers_the_required_layers_and_regions():
    base = knowledge()
    assert [layer.id for layer in base.skin.layers] == REQUIRED_LAYERS
    assert REQUIRED_REGIONS <= {region.id for region in base.skin.regions}


def test_every_clinical_value_has_a_source_that_resolves():
    base = knowledge()
    values = list(base.sourced_values())
    assert len(values) >= 30
    for file_name, path, value in values:
        assert base.source(value.source).citation, f"{file_name} {path}"


def test_every_measurement_names_its_method():
    for measurement in [*knowledge().skin.measurements, *knowledge().skin.assumptions]:
        assert measurement.method in ("ultrasound", "histology", "cadaver")


def test_every_region_has_a_dermis_value_measured_or_labelled_as_assumed():
    skin = knowledge().skin
    for region in REQUIRED_REGIONS:
        for sex in ("female", "male"):
            found = [m for m in [*skin.measurements, *skin.assumptions]
                     if m.layer == "dermis" and m.region == region and m.sex in (sex, "pooled")
                     and m.method == "ultrasound"]
            assert found, f"no dermis value for {region}/{sex}"


def test_assumptions_are_never_listed_as_measurements():
    skin = knowledge().skin
    measured = {(m.layer, m.region, m.sex, m.method) for m in skin.measurements}
    for assumption in skin.assumptions:
        assert (assumption.layer, assumption.region, assumption.sex, assumption.method) not in measured
        assert assumption.note, "an assumption must say what it assumes"


def test_unknown_source_names_the_file_and_the_field(knowledge_copy):
    knowledge_copy.replace("skin_layers.yaml", "source: Meng22}", "source: Nobody99}")
    with pytest.raises(KnowledgeError, match=r"skin_layers\.yaml: measurements\[\d+\]\.source: unknown source 'Nobody99'"):
        load(knowledge_copy)


def test_bad_value_names_the_file_and_the_field(knowledge_copy):
    knowledge_copy.replace("skin_layers.yaml", "value_mm: 0.86", "value_mm: -0.86")
    with pytest.raises(KnowledgeError, match=r"skin_layers\.yaml: measurements\[\d+\]\.value_mm: .*greater than 0"):
        load(knowledge_copy)


def test_missing_field_and_unknown_field_are_errors(knowledge_copy):
    knowledge_copy.replace("skin_layers.yaml", "method: ultrasound, value_mm: 1.17", "value_mm: 1.17")
    with pytest.raises(KnowledgeError, match=r"skin_layers\.yaml: measurements\[\d+\]\.method: Field required"):
        load(knowledge_copy)
    knowledge_copy.restore("skin_layers.yaml")
    knowledge_copy.replace("bibliography.yaml", "quality: textbook", "quality: textbook\n    year: 2001")
    with pytest.raises(KnowledgeError, match=r"bibliography\.yaml: sources\[\d+\]\.year: Extra inputs"):
        load(knowledge_copy)


def test_unknown_region(knowledge_copy):
    knowledge_copy.replace("skin_layers.yaml", "region: glabella", "region: elbow")
    with pytest.raises(KnowledgeError, match=r"skin_layers\.yaml: measurements\[\d+\]\.region: unknown region 'elbow'"):
        load(knowledge_copy)


def test_broken_yaml(knowledge_copy):
    (knowledge_copy / "depth_charts.yaml").write_text("charts: [\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"depth_charts\.yaml: not valid YAML"):
        load(knowledge_copy)


def test_missing_file(knowledge_copy):
    (knowledge_copy / "bibliography.yaml").unlink()
    with pytest.raises(KnowledgeError, match=r"bibliography\.yaml: cannot be read"):
        load(knowledge_copy)


def test_the_package_reads_a_file_when_first_used_with_the_same_checks(knowledge_copy):
    from mesolab.knowledge import KnowledgeBase

    knowledge_copy.replace("skin_layers.yaml", "source: Meng22}", "source: Nobody99}")
    base = KnowledgeBase(knowledge_copy)  # what knowledge() is, for the package's own folder
    assert base.claims.claims  # another file: read and checked on its own
    for _ in range(2):  # an invalid file is never kept: every use fails
        with pytest.raises(KnowledgeError, match=r"skin_layers.yaml: .*source: unknown source 'Nobody99'"):
            base.skin
    with pytest.raises(AttributeError):
        base.skin_layers  # noqa: B018 - not a file's attribute

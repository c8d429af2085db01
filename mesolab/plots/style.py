"""One palette for every MesoLab figure.

Colours are Paul Tol's "light" scheme, which stays distinguishable with the common colour-vision
deficiencies; every layer also has its own hatch so the figure reads in greyscale too.
"""
LAYER_STYLE: dict[str, dict[str, str]] = {
    "stratum_corneum": {"color": "#EEDD88", "hatch": ""},
    "epidermis": {"color": "#EE8866", "hatch": ""},
    "papillary_dermis": {"color": "#FFAABB", "hatch": "..."},
    "reticular_dermis": {"color": "#77AADD", "hatch": "///"},
    "hypodermis": {"color": "#BBCC33", "hatch": "oo"},
    "below_hypodermis": {"color": "#DDDDDD", "hatch": ""},
}
NEEDLE_COLOR = "#222222"
WARNING_COLOR = "#994455"  # Tol "high-contrast" dark red
FEMALE_COLOR = "#EE7733"  # Tol "vibrant" orange
MALE_COLOR = "#0077BB"  # Tol "vibrant" blue
# GAGS lesion grades 0–4: Tol's sequential "YlOrBr" (darker with each grade, so it reads for every
# colour vision and in greyscale), plus a hatch per grade and the grade written in each area.
GAGS_GRADE_STYLE: dict[int, dict[str, str]] = {
    0: {"color": "#FFFFFF", "hatch": ""},
    1: {"color": "#FEE391", "hatch": ".."},
    2: {"color": "#FB9A29", "hatch": "//"},
    3: {"color": "#CC4C02", "hatch": "xx"},
    4: {"color": "#662506", "hatch": "oo"},
}
# Technique simulator (module 03): the target layer's outline and the deposit (Tol "high-contrast" blue, Tol purple).
TARGET_COLOR = "#004488"
DEPOSIT_COLOR = "#AA3377"
# Scar profiles (module 02): depths drawn this many times enlarged, so a 0.3 mm scar is visible beside a 3 mm width.
VERTICAL_EXAGGERATION = 3

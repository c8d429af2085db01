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

"""MesoLab: a Jupyter curriculum on mesotherapy for acne and acne scars.

Educational material only, not medical advice; local law and qualification rules decide who may
inject. Data flows one way: knowledge base (:mod:`mesolab.knowledge`) -> domain functions
(:mod:`mesolab.skin`, ...) -> widgets and figures -> notebooks -> nbgrader.
"""
__version__ = "0.1.0"

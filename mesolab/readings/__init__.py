"""What each interactive view says in words, computed from the domain functions: pure, no widget, no figure.

One module per domain module (:mod:`mesolab.skin` -> :mod:`mesolab.readings.skin`, ...). The widgets in
:mod:`mesolab.widgets` wire controls to these readings and to a figure of :mod:`mesolab.plots`; the lessons and
the tests use the readings directly, so a lesson table never depends on ipywidgets.
"""

"""Jupyter notebooks read as Jupyter would run them, without running them: cells in order, IPython magics, and the last value of each answer variable."""

"""Build and instructor tools: not part of the student runtime.

They need the package's ``tools`` extra (``pip install -e .[tools]``; the lock
file installs it): ``exercises`` makes the exercise notebooks from their sources
and grades submitted ones, ``setup_cell`` keeps every notebook's first cell current.
"""

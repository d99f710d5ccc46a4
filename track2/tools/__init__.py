"""Build and instructor tools: not part of the student runtime.

They need the package's ``tools`` extra (``pip install -e .[tools]``; the lock
file installs it): ``exercises`` makes the exercise notebooks from their sources,
``nbgrader_course`` makes them nbgrader assignments and grades their data tasks,
``setup_cell`` keeps every notebook's first cell current.
"""

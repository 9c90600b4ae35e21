"""Derived tables, one room per topic: ``analysis.topics.<topic>`` holds its step (``build.py``),
schema (``schema.py``) and the views notebooks call (``views.py``). Topics import the leaf
layers, :mod:`analysis.privacy` and :mod:`analysis.stats`; they get other tables through the
build context, never by importing another room.
"""

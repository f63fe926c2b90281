"""Scores computed per cohort row from events in a window (Charlson comorbidity index...).

A layer beside case identification: it reads events and cohort rows, never files. The
registered score algorithms (``snds_algos.get("charlson")``) hold their code lists and
weights as data and call these functions.
"""

from snds_algos.scores.charlson import comorbidity_index

__all__ = ["comorbidity_index"]

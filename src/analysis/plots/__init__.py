"""Every published figure: house style, saving, and one builder per figure the notebooks draw.

The contract: a builder takes processed tables (or the views of them in
:mod:`analysis.topics.migration.views`, :mod:`analysis.topics.cases.views`,
:mod:`analysis.topics.models.views` …) and returns ``(figure, chart_data)`` —
the matplotlib figure and exactly the frame it draws — and a ``*_text`` function next to it
returns the figure's title, caption and source line (:class:`~analysis.plots.save.FigureText`).
A notebook only loads tables, calls builders, ``say()``\\ s computed prose and saves::

    fig, data = hm.rate_figure("03_lost_rate", base, local)
    save_figure(fig, "03_lost_rate_ocha", data=data, **hm.rate_figure_text("03_lost_rate", base))

``tests/test_thin_notebooks.py`` enforces that notebooks hold no drawing code.

Modules:

* :mod:`~analysis.plots.style` — palette, rcParams (:func:`use_house_style`), CJK font, label
  language (:func:`~analysis.plots.style.label`);
* :mod:`~analysis.plots.save` — :func:`save_figure` (PNG, SVG, chart-data CSV at publication
  precision, caption JSON);
* :mod:`~analysis.plots.text` — number and province-list formatting for captions and prose;
* :mod:`~analysis.plots.maps` — map primitives (classed choropleths, flows, O–D matrix);
* figure builders by notebook: :mod:`~analysis.plots.atlas_figures` (01),
  :mod:`~analysis.plots.case_figures` (02), :mod:`~analysis.plots.hotspot_maps` and
  :mod:`~analysis.plots.comparison_figures` (03), :mod:`~analysis.plots.model_figures` (04),
  :mod:`~analysis.plots.factcheck_figures` (05);
* computed findings the prose of 03 and 04 cites, as typed results:
  :mod:`~analysis.plots.hotspot_findings`, :mod:`~analysis.plots.model_findings`.
"""

from __future__ import annotations



"""Lost Generation: reproducible analysis of missing-child postings and hukou migration in China.

The package is in layers (``docs/design.md``; checked by ``make lint``): ``core`` and ``vocab``
at the bottom, then ``privacy``, the source rooms (``sources.<source>``) and ``stats``, the topic
rooms (``topics.<topic>``), ``schemas``, the store (``tables``), the ``pipeline``, the read side
(``geo``, the rooms' ``views``), figures and plots, ``site`` and the CLI (``python -m analysis``).
"""

__version__ = "0.1.0"

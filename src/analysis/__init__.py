"""Lost Generation: reproducible analysis of missing-child postings and hukou migration in China.

Modules (one job each): ``paths``, ``fetch`` (registry + pooch + mirror), ``provinces`` (crosswalk),
``accounts`` (row accounts), ``schemas`` (pandera), ``clean.<source>`` (raw → tidy),
``tables`` (build/read), ``datadict``, ``geo``, ``figures``, ``notebooks`` and the CLI
(``python -m analysis``).
"""

__version__ = "0.1.0"

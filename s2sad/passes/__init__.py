"""IR-to-IR transformations: activity analysis, forward and reverse mode, simplification."""

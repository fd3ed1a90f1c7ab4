"""Website indicator checks: the rulebook (data), one rule module per indicator, and the scoring of verdicts."""

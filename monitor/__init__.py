"""govmon: checks Chinese government websites against 国办秘函〔2019〕19号."""

__version__ = "0.1.0"

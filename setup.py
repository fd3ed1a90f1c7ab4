"""Shim for scrapyd-deploy, which builds its egg with `python setup.py bdist_egg` and, without this file, writes a
setup.py of its own (another name, no package data, no dependencies). Everything is declared in pyproject.toml."""

from setuptools import setup

setup()

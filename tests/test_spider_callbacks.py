"""The spiders' generator callbacks return no value: Scrapy would drop it. Scrapy's own check of this runs once here,
not per request in every crawl (WARN_ON_GENERATOR_RETURN_VALUE is off in monitor/settings.py)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from scrapy import Spider
from scrapy.utils.misc import is_generator_with_return_value

import monitor.spiders


def test_no_generator_callback_returns_a_value() -> None:
    checked = 0
    for info in pkgutil.iter_modules(monitor.spiders.__path__):
        module = importlib.import_module(f"monitor.spiders.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, Spider) or cls.__module__ != module.__name__:
                continue
            for name, fn in inspect.getmembers(cls, inspect.isgeneratorfunction):
                checked += 1
                assert not is_generator_with_return_value(fn), f"{cls.__name__}.{name} returns a value"
    assert checked >= 10  # the spiders' generator callbacks were found


def test_the_check_finds_a_generator_returning_a_value() -> None:
    def callback(response):
        yield response
        return 1

    assert is_generator_with_return_value(callback)

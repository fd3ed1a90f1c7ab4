"""The garbage collector is kept off what a crawl holds until exit (monitor/extensions/heap.py, monitor/cli.py)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from scrapy import Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from monitor import settings as project_settings
from monitor.cli import main
from monitor.extensions import heap
from monitor.extensions.heap import FreezeHeap


def project(**overrides: object) -> dict[str, object]:
    values = {name: getattr(project_settings, name) for name in dir(project_settings) if name.isupper()}
    return values | overrides


@pytest.fixture
def thawed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    gc.unfreeze()
    monkeypatch.setattr(heap, "_frozen", False)  # as in a process no crawl has started in yet
    yield
    gc.unfreeze()  # the test process's objects go back to the collector's walks
    gc.enable()


class Held:
    """An object made during set-up, in a reference cycle so the collector tracks it."""

    def __init__(self) -> None:
        self.me = self


def test_what_exists_when_the_engine_starts_is_frozen(thawed: None) -> None:
    crawler = get_crawler(Spider, project())
    assert "monitor.extensions.heap.FreezeHeap" in crawler.settings.getdict("EXTENSIONS")
    FreezeHeap.from_crawler(crawler)
    held = Held()
    assert gc.get_freeze_count() == 0
    crawler.signals.send_catch_log(signals.engine_started)
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # the test process's imports and objects, held among them
    assert not any(obj is held for gen in range(3) for obj in gc.get_objects(gen))
    made_later = Held()
    assert any(obj is made_later for obj in gc.get_objects(0))  # the crawl's own objects are still collected


def test_garbage_of_the_set_up_is_collected_before_the_freeze(thawed: None) -> None:
    crawler = get_crawler(Spider, project())
    FreezeHeap.from_crawler(crawler)
    gc.disable()  # the cycle below stays garbage until the extension collects it
    garbage = weakref.ref(Held())
    assert garbage() is not None
    crawler.signals.send_catch_log(signals.engine_started)
    assert garbage() is None  # collected, not frozen for the rest of the crawl


def test_a_process_is_frozen_once(thawed: None) -> None:
    """A later crawl of the same process leaves its start to the collector: it holds the earlier crawls' leftovers."""
    first, second = (get_crawler(Spider, project()) for _ in range(2))
    FreezeHeap.from_crawler(first)
    FreezeHeap.from_crawler(second)
    first.signals.send_catch_log(signals.engine_started)
    frozen = gc.get_freeze_count()
    leftover = Held()
    second.signals.send_catch_log(signals.engine_started)
    assert gc.get_freeze_count() == frozen
    assert any(obj is leftover for gen in range(3) for obj in gc.get_objects(gen))


def test_the_setting_turns_it_off() -> None:
    with pytest.raises(NotConfigured):
        FreezeHeap.from_crawler(get_crawler(Spider, project(MONITOR_GC_FREEZE=False)))


def test_a_command_starts_with_its_imports_frozen_and_the_collector_on(thawed: None) -> None:
    with pytest.raises(SystemExit):
        main(["runs", "--help"])
    assert gc.isenabled()
    assert gc.get_freeze_count() > 10_000

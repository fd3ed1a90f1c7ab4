"""A database ready for a crawl of a generated region: the schema and the region's registry, as a user's
`govmon migrate` and `govmon import-targets` leave it (shared by crawl_bench and memory_bench)."""

from __future__ import annotations

from pathlib import Path


def prepare_database(url: str, registry: Path) -> None:
    """Bring the database at `url` to the current schema and import the registry file into it."""
    from monitor import db
    from monitor.migrate import upgrade
    from monitor.registry import import_files

    engine = db.engine_for(url)
    try:
        upgrade(engine)
        import_files(engine, [registry])
    finally:
        engine.dispose()

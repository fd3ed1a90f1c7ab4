"""The project as a built artefact: a wheel installed without the checkout runs the demo, and the egg that
scrapyd-deploy builds runs a crawl in a real Scrapyd.

Both run in a fresh virtual environment that holds no `monitor` of its own: a .pth file puts this venv's
site-packages (the dependencies) on its path. A .pth line only adds a directory; the .pth files inside it are not
run, so the editable install's import hook, which would find the working tree, is not installed there. Whatever
`monitor` runs is therefore the built artefact: the wheel's files, or the egg, which Scrapyd imports from the zip.
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.parse
import urllib.request
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from monitor.evaluate import evaluate
from monitor.migrate import alembic_config, upgrade
from monitor.registry import import_files
from monitor.simweb.scenario import load_scenario
from monitor.simweb.server import SimWeb

REPO = Path(__file__).resolve().parent.parent
PROJECT_FILES = ("pyproject.toml", "setup.py", "README.md", "scrapy.cfg", "monitor")
# Everything the code reads at run time besides its modules (a missing one fails only on first use).
PACKAGE_DATA = ("monitor/checks/rulebooks/national-2019.yaml", "monitor/checks/rulebooks/typos.yaml",
                "monitor/report/views.sql", "monitor/migrations/env.py", "monitor/migrations/script.py.mako",
                "monitor/migrations/versions/0001_initial.py", "monitor/simweb/scenarios/honghe_2021q1.yaml",
                "monitor/simweb/scenarios/defects.yaml", "monitor/extract/__init__.py",
                "monitor/regions/gb2260.csv", "monitor/migrations/versions/0004_account_observations.py")


def _project_copy(dest: Path) -> Path:
    """The files a build reads, copied out of the checkout: building writes build/ and *.egg-info next to
    pyproject.toml, which must not land in the working tree; caches are left behind."""
    dest.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "build", "*.egg-info")
    for name in PROJECT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=ignore)
        else:
            shutil.copy2(source, dest / name)
    return dest


def _deps_venv(path: Path) -> Path:
    """A venv without `monitor` that sees this venv's installed dependencies; returns its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True, timeout=120)
    python = path / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(purelib) / "govmon_test_deps.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")
    return python


def _env() -> dict[str, str]:
    """This process's environment without anything that would point Python or Scrapy at the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SCRAPY_SETTINGS_MODULE", "VIRTUAL_ENV")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_built_wheel_carries_its_data_and_runs_the_demo(tmp_path: Path) -> None:
    src = _project_copy(tmp_path / "src")
    # No build isolation: an isolated build would download setuptools, and tests reach no network.
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index",
                    "-w", str(tmp_path / "dist"), str(src)], check=True, capture_output=True, timeout=300)
    (wheel,) = (tmp_path / "dist").glob("govmon-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    assert not [p for p in PACKAGE_DATA if p not in names], sorted(names)
    assert not [n for n in names if "__pycache__" in n or n.startswith(("tests/", "sql/", "bench/"))]

    python = _deps_venv(tmp_path / "venv")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index",
                    str(wheel)], check=True, capture_output=True, timeout=300)
    run = tmp_path / "run"
    run.mkdir()
    where = subprocess.run([str(python), "-c", "import monitor; print(monitor.__file__)"], cwd=run, env=_env(),
                           check=True, capture_output=True, text=True).stdout.strip()
    assert Path(where).is_relative_to(tmp_path / "venv"), where

    env = dict(_env(), MONITOR_DATABASE_URL=str(run / "govmon.sqlite"))
    done = subprocess.run([str(tmp_path / "venv" / "bin" / "govmon"), "demo"], cwd=run, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "检查网站14个, 合格11个, 不合格3个" in done.stdout, done.stdout[-3000:]
    assert (run / "var" / "report" / "2021Q1" / "附件1_2021Q1_不合格网站名单.csv").is_file()


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the test's own Scrapyd on loopback
        return json.loads(response.read())


def _post(url: str, fields: list[tuple[str, str]]) -> dict:
    data = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(url, data=data, timeout=10) as response:  # noqa: S310 - loopback
        return json.loads(response.read())


def _scrapyd_conf(home: Path, port: int) -> None:
    """The shipped deploy/scrapyd/scrapyd.conf, on a free port and polling its queue often."""
    conf = configparser.ConfigParser()
    conf.read(REPO / "deploy" / "scrapyd" / "scrapyd.conf", encoding="utf-8")
    conf["scrapyd"].update({"http_port": str(port), "poll_interval": "0.5", "max_proc": "2"})
    with (home / "scrapyd.conf").open("w", encoding="utf-8") as fh:
        conf.write(fh)


def _tail(path: Path, n: int = 4000) -> str:
    return path.read_text(encoding="utf-8", errors="replace")[-n:] if path.is_file() else f"(no {path})"


@pytest.mark.postgres
def _wait_finished(base: str, ids: set[str], logs: list[Path], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        jobs = _get(f"{base}/listjobs.json?project=govmon")
        if ids <= {j["id"] for j in jobs["finished"]}:
            return
        time.sleep(0.5)
    pytest.fail(f"jobs {ids} did not finish: {jobs}\n" + "\n".join(_tail(log) for log in logs))


def test_scrapyd_deploy_egg_crawls_into_postgresql(tmp_path: Path, pg_url: str, redis_url: str) -> None:
    pytest.importorskip("scrapyd", reason="the scrapyd extra is not installed (scripts/setup.sh installs it)")
    pytest.importorskip("scrapyd_client", reason="the scrapyd extra is not installed")
    port = _free_port()
    src = _project_copy(tmp_path / "src")
    # The deploy target, as a user writes it in scrapy.cfg, pointing at the test's Scrapyd.
    (src / "scrapy.cfg").write_text(f"[settings]\ndefault = monitor.settings\n\n[deploy:test]\n"
                                    f"url = http://127.0.0.1:{port}\nproject = govmon\n", encoding="utf-8")
    home = tmp_path / "scrapyd"
    home.mkdir()
    _scrapyd_conf(home, port)
    python = _deps_venv(tmp_path / "venv")
    server_log = home / "scrapyd.out"
    base = f"http://127.0.0.1:{port}"

    # Tables only: the job's storage pipeline brings the schema to head itself, so migrations 0002 and 0003 and the
    # views they create are read from inside the egg. (Should the registry import ever need a later migration,
    # raise the revision here.)
    engine = create_engine(pg_url)
    upgrade(engine, "0001_initial")
    scenario = load_scenario("honghe_2021q1")
    scenario.write_registry(tmp_path / "targets.yaml")
    import_files(engine, [tmp_path / "targets.yaml"])

    with server_log.open("wb") as out:
        server = subprocess.Popen([str(python), "-m", "scrapyd", "--pidfile="], cwd=home, env=_env(), stdout=out,
                                  stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                assert _get(f"{base}/daemonstatus.json")["status"] == "ok"
                break
            except OSError:
                assert server.poll() is None, _tail(server_log)
                time.sleep(0.2)
        else:
            pytest.fail(f"Scrapyd did not answer on {base}: {_tail(server_log)}")

        # scrapyd-deploy builds the egg (setup.py bdist_egg through the shim) and uploads it to addversion.json;
        # Scrapyd then lists the egg's spiders in a process of its own, the first proof that the egg imports.
        deployed = subprocess.run([sys.executable, "-m", "scrapyd_client.deploy", "test", "--version", "1"],
                                  cwd=src, env=_env(), capture_output=True, text=True, timeout=300)
        assert deployed.returncode == 0, deployed.stderr + deployed.stdout + _tail(server_log)
        answer = json.loads(deployed.stdout)
        assert answer["status"] == "ok" and answer["spiders"] >= 2, answer
        assert _get(f"{base}/listspiders.json?project=govmon")["spiders"] == ["accounts", "channels", "probe", "sweep", "website"]

        with SimWeb(scenario) as web:
            job = _post(f"{base}/schedule.json", [
                ("project", "govmon"), ("spider", "website"), ("run_id", "scrapyd-pkg"),
                ("as_of", scenario.as_of.isoformat()),
                ("setting", f"MONITOR_DATABASE_URL={pg_url}"), ("setting", f"MONITOR_HOST_MAP={web.host_map}"),
                ("setting", f"MONITOR_RUN_DIR={tmp_path / 'runs'}"),
            ])
            assert job["status"] == "ok", job
            logs = home / "var" / "scrapyd" / "logs" / "govmon" / "website"
            job_log = logs / f"{job['jobid']}.log"
            _wait_finished(base, {job["jobid"]}, [job_log], 150)

            # Several workers (issue 14): a run queued in Redis, crawled by two Scrapyd jobs of the deployed egg.
            queued = subprocess.run([sys.executable, "-m", "monitor.cli", "enqueue", "--run-id", "scrapyd-queue",
                                     "--as-of", scenario.as_of.isoformat()], cwd=REPO, capture_output=True,
                                    text=True, timeout=120,
                                    env=dict(_env(), MONITOR_DATABASE_URL=pg_url, MONITOR_QUEUE_URL=redis_url))
            assert queued.returncode == 0, queued.stderr
            workers = [_post(f"{base}/schedule.json", [
                ("project", "govmon"), ("spider", "website"), ("queue", "scrapyd-queue"),
                ("setting", f"MONITOR_DATABASE_URL={pg_url}"), ("setting", f"MONITOR_HOST_MAP={web.host_map}"),
                ("setting", f"MONITOR_QUEUE_URL={redis_url}"), ("setting", f"MONITOR_RUN_DIR={tmp_path / 'runs'}"),
            ]) for _ in range(2)]
            worker_logs = [logs / f"{w['jobid']}.log" for w in workers]
            _wait_finished(base, {w["jobid"] for w in workers}, worker_logs, 150)
        for worker_log in worker_logs:
            text_ = worker_log.read_text(encoding="utf-8", errors="replace")
            assert "on run scrapyd-queue" in text_ and "Traceback" not in text_, _tail(worker_log, 8000)
        with engine.connect() as conn:
            run = conn.execute(text("SELECT status, stats FROM runs WHERE run_id = 'scrapyd-queue'")).one()
            sites = conn.execute(text("SELECT COUNT(DISTINCT site_code) FROM pages WHERE run_id = 'scrapyd-queue'"
                                      " AND role = 'home'")).scalar()
        assert run.status == "finished" and run.stats["done"] == 14 and sites == 14, (run, sites)
        from redis import Redis

        from monitor.jobs import RunQueue

        RunQueue(Redis.from_url(redis_url), "scrapyd-queue").delete()
        log = job_log.read_text(encoding="utf-8", errors="replace")

        # The job ran the deployed egg: monitor.migrate found its migrations inside the zip, not on disk.
        assert ".egg/monitor/migrations" in log and "eggs/govmon/1.egg" in log, _tail(job_log)
        # A file read through Path(__file__) inside the zip fails here (NotADirectoryError), even if the job finishes.
        assert "Traceback" not in log and "] ERROR:" not in log, _tail(job_log, 8000)
        with engine.connect() as conn:
            head = ScriptDirectory.from_config(alembic_config(pg_url)).get_current_head()
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head, _tail(job_log)
            # Views made by the egg's migrations from the egg's views.sql.
            assert conn.execute(text("SELECT COUNT(*) FROM v_verdicts_quarter")).scalar() == 0
            counts = {t: conn.execute(text(f"SELECT COUNT(*) FROM {t} WHERE run_id = 'scrapyd-pkg'")).scalar()
                      for t in ("pages", "list_entries", "links", "link_checks")}
        assert counts["pages"] >= 14 and counts["list_entries"] > 0, f"{counts}\n{_tail(job_log)}"

        # Findings and verdicts of the quarter come from evaluate, run here on what the job stored (the accounts of
        # the registry were not read: 待定, counted apart).
        summary = evaluate(engine, "2021Q1", datetime(2021, 3, 3), not_monitored=("site_unreachable",))
        with engine.connect() as conn:
            findings = conn.execute(text("SELECT COUNT(*) FROM findings")).scalar()
            verdicts = conn.execute(text("SELECT COUNT(*) FROM verdicts WHERE target_kind = 'website'")).scalar()
            judged = conn.execute(text("SELECT COUNT(*) FROM v_verdicts_quarter WHERE target_kind = 'website'")).scalar()
        assert findings > 0 and verdicts == 14 and judged == 14, (findings, verdicts, judged)
        assert summary.accounts.results["待定"] == len(scenario.accounts)
        assert summary.checked == 14 and not summary.no_data, str(summary)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        engine.dispose()

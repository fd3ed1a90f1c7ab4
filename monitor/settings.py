"""Scrapy settings of the monitor, and every MONITOR_* setting, documented where it is defined.

Plain defaults only. Precedence, the same in crawls and in commands: `-s NAME=value` on a crawl, then an environment
variable of the same name (MONITOR_* settings only, converted to the type of the default), then the value here.
The environment is applied in one place, `monitor.addon.configure`: by the add-on below for every crawl and by
`monitor.config.setting()` for commands, reports and notebooks. Values that belong to the inspection rules (limits,
windows, points) live in the rulebook (monitor/checks/rulebooks/), not here.
"""

from __future__ import annotations

BOT_NAME = "govmon"
SPIDER_MODULES = ["monitor.spiders"]
NEWSPIDER_MODULE = "monitor.spiders"

# The monitor's add-on (monitor/addon.py): environment overrides, the probe's limit from the rulebook, the host-map
# download handler (with scrapy-playwright) and Chromium's launch options, for every spider alike.
ADDONS = {"monitor.addon.MonitorAddon": 0}

# ------------------------------------------------------------------ MONITOR_* settings

# Where everything is stored: a bare path is an SQLite file; use postgresql+psycopg://user@host/db for real use.
MONITOR_DATABASE_URL = "var/govmon.sqlite"

# Where crawls take their targets from (monitor/targets.py): empty = the active targets of the registry in the
# database (`govmon import-targets`); else registry files (CSV or YAML, validated like an import, several separated by
# ';') for a crawl of targets not (yet) imported. What the crawl finds still goes to MONITOR_DATABASE_URL.
MONITOR_TARGETS = ""

# Host map, like curl's --resolve or Chromium's --host-resolver-rules: "pattern=address[:port]" entries
# separated by ';' or newlines, where pattern is a host name or "*.suffix". Requests to a matching host are
# sent to the address (the Host header and the URL stay as they are). Used by the simulated web, and by users
# whose sites are only reachable through internal DNS or a fixed address.
MONITOR_HOST_MAP = ""
# Address policy (monitor/guard.py): crawls connect only to public addresses. A page, link or redirect to loopback,
# private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16: cloud metadata), CGNAT, multicast or
# reserved addresses is refused before connecting and recorded as outcome forbidden (目标地址为内网或保留地址,
# 已拒绝访问): 待定, never a failure of the site. Hosts in MONITOR_HOST_MAP always reach their mapped address. For
# sites behind internal DNS, ';'-separated: CIDRs or addresses ("10.20.0.0/16;192.168.1.5;fd00::/8") allowed for
# any host, host patterns ("*.gov.intra;oa.example.gov.cn") allowed whatever they resolve to.
MONITOR_ALLOWED_NETWORKS = ""

# Crawl bounds per site: list pages followed per column (pagination), article pages sampled per column,
# and columns discovered from the navigation when the registry lists none.
MONITOR_MAX_LIST_PAGES = 3
MONITOR_ARTICLES_PER_COLUMN = 2
MONITOR_MAX_DISCOVERED_COLUMNS = 60

# Link checking: HEAD first, GET when the server refuses HEAD. External links are checked once per run.
MONITOR_CHECK_LINKS = True
MONITOR_CHECK_EXTERNAL_LINKS = True

# The full link sweep (`govmon sweep`, monitor/spiders/sweep.py): per site, at most this many pages visited and
# this many link steps from the homepage (each further list page of a column is one step deeper); 0 = no bound.
# Pages a bound leaves out are not visited but their links are checked, and they are counted and reported per site.
MONITOR_SWEEP_MAX_PAGES = 20000
MONITOR_SWEEP_MAX_DEPTH = 100

# Pages whose footer is written by a script are read again from a Chromium-rendered DOM (scrapy-playwright).
MONITOR_RENDER_SCRIPT_FOOTERS = True
# List pages without a static list that show signs of building it by script (a single-page shell, a template, an XHR
# the crawler cannot replay) are read again from the Chromium-rendered DOM; off: such columns are recorded as
# unrendered (待定), never as blank.
MONITOR_RENDER_SCRIPT_LISTS = True
# Browser used for rendering: Debian's chromium-headless-shell (never a downloaded browser); the add-on gives it to
# scrapy-playwright as the executable.
MONITOR_CHROMIUM = "/usr/bin/chromium-headless-shell"
# Certificates Chromium accepts although no CA signed them: base64 SHA-256 key hashes separated by ',' (Chromium's
# --ignore-certificate-errors-spki-list). Only for a test bed such as the simulated platforms (`SimWeb.tls_spki`);
# empty for real sites, whose certificates are checked.
MONITOR_TRUSTED_SPKI = ""

# New-media accounts (monitor/spiders/accounts.py). Accounts read together: the rendered pages of one batch share
# one browser context, closed when the batch is done (memory stays bounded however many accounts are read).
MONITOR_ACCOUNT_BATCH = 20
# Longest wait, in seconds, for a rendered page to show what its adapter waits for (Fetch.wait_for); after it the
# page is read as it is and the adapter decides (a wall, an empty list, or unparsable).
MONITOR_ACCOUNT_RENDER_WAIT = 10.0

# Letters channels and guide lists (monitor/spiders/channels.py): list pages read per letters channel (pagination),
# letters read per channel (newest first as listed, each from its detail page), and guide pages read per guide list.
# MONITOR_RENDER_SCRIPT_LISTS and MONITOR_CHECK_LINKS apply to channel lists and guides' 政务服务网 links as well.
MONITOR_MAX_LETTER_PAGES = 5
MONITOR_MAX_LETTERS = 100
MONITOR_GUIDES_PER_CHANNEL = 10

# The availability probe's limit is the rulebook's (site_unreachable.params.timeout_seconds: the national 15 s, a
# visit of exactly the limit fails; a MONITOR_RULEBOOK file may change it). This setting is only an explicit
# override in seconds for tests and benchmarks, which need limits of 1-2 s to stay short; None = the rulebook.
MONITOR_PROBE_TIMEOUT: float | None = None

# Job lock: a second run of the same job on the same database while one runs does not start (monitor/lock.py;
# crawls take it themselves, monitor/extensions/joblock.py). A file lock by default; set a redis:// URL to lock
# across machines (several workers sharing one schedule).
MONITOR_LOCK_URL = ""
# Folder of the file locks (absolute; default: govmon-locks in the system's temporary folder, shared by every
# working folder on this machine).
MONITOR_LOCK_DIR = ""

# Several machines (monitor/jobs.py, monitor/queue_worker.py): the Redis holding queued runs' jobs (`govmon
# enqueue`, `govmon work`; it may need a password: redis://:PASSWORD@host:6379/0, masked in logs), and how many
# jobs (targets) one worker crawls at a time — enough sites to fill CONCURRENT_REQUESTS at 2 requests per host.
# A job's lease (how soon a dead worker's job is taken by another) is set per run: `govmon enqueue --lease`.
MONITOR_QUEUE_URL = "redis://127.0.0.1:6379/0"
MONITOR_QUEUE_JOBS = 8

# Retries: wait for Retry-After up to this many seconds (longer requests are recorded as the answer), else back off
# exponentially from MONITOR_RETRY_BACKOFF seconds.
MONITOR_RETRY_AFTER_MAX = 120.0
MONITOR_RETRY_BACKOFF = 0.5

# Rulebook: a province or city override file (YAML, only the keys it changes) merged over the national 2019 book in
# monitor/checks/rulebooks/national-2019.yaml; empty = national values only.
MONITOR_RULEBOOK = ""

# Typos: a user confusion list (YAML, same format as monitor/checks/rulebooks/typos.yaml: leader names and titles,
# institution names) added to the built-in one; empty = built-in list only.
MONITOR_TYPO_LIST = ""

# Indicators this office does not monitor (comma-separated codes, e.g. "site_unreachable,ipv6" where no probe rounds
# run): evaluation does not run them and records them as 未开展监测, and the notice says so. Any other indicator
# without observations in its window makes the verdict 待定 (无监测数据), never 合格. `govmon evaluate
# --not-monitored` overrides it for one evaluation.
MONITOR_NOT_MONITORED = ""
# Holiday tables (节假日安排) for the letters' working-day deadlines: YAML or CSV files separated by ';' for years
# the chinesecalendar library does not know yet (or to correct one it does); format in monitor/workdays.py.
# Empty: the library only; a deadline reaching an unknown year is 待定, with a warning naming the year.
MONITOR_HOLIDAYS = ""
# The quarterly notice's header fields (monitor/report/notice.py load_header): a YAML file with 发文单位, 主送, 联系人,
# 电话, 邮箱 and 整改期限 (working days after the notice's date, default 5) — at the top level, or under each region's
# 6-digit code. Empty, or a field left out: 发文单位 = "<region>人民政府办公室", 主送 by the region's level
# (州: 各县市人民政府,州直各委、办、局; county: 各乡镇人民政府,县直各部门; province: 各州、市人民政府,省直各委、办、厅、局).
MONITOR_NOTICE_FILE = ""

# Pages of at least this many bytes are read (parsed and extracted) in a worker thread instead of on the reactor
# thread, so a page of 100,000 links does not stall every other site's downloads (monitor/middlewares.py
# ReadInThread; 0 = every page in its callback). Below it the hand-off costs more than it saves.
MONITOR_READ_IN_THREAD_BYTES = 256 * 1024

# Rows per database transaction in the storage pipeline.
MONITOR_BATCH_SIZE = 500
# Seconds between writes of every row the storage pipeline holds (monitor/extensions/flush.py; 0 = off): a crawl
# killed outright (kill -9, OOM, power cut) loses at most this interval's rows, which a re-run with the same
# --run-id fills in. Its run is then marked `killed` by the next crawl, `govmon evaluate` or `govmon runs`.
MONITOR_FLUSH_SECONDS = 30.0
# Freeze what exists when the engine starts (imports, set-up: ~150,000 objects) out of the garbage collector's full
# walks, each of which stalls every download in progress (monitor/extensions/heap.py). False: Python's defaults.
MONITOR_GC_FREEZE = True

# Seconds a PostgreSQL statement or commit may wait for the server's answer before its connection is given up
# (monitor/dbwatch.py; 0 = no limit). libpq has no read timeout and a frozen server's kernel still acknowledges
# packets, so without it a stopped server stops the crawl. A crawl keeps the rows of a statement given up and tries
# again later (spilling them to a file if the server never answers); commands fail with an error. Long enough for
# the heaviest evaluation or report query of a large region.
MONITOR_DB_TIMEOUT = 300

# The visible body text kept per page for text checks (typos, personal data), in characters.
MONITOR_TEXT_SAMPLE_CHARS = 20000

# What a person sees of a crawl (monitor/extensions/outcomes.py): progress ("已完成 12/40 个网站") at INFO every
# MONITOR_PROGRESS_INTERVAL seconds (0 = off) and every MONITOR_PROGRESS_SITES finished sites (0 = about every 5 %);
# at the end the totals and the MONITOR_SUMMARY_WORST worst sites in the log and on `govmon crawl`'s output, and the
# full per-site table in <MONITOR_RUN_DIR>/<run_id>/抓取结果.csv (empty = no file).
MONITOR_PROGRESS_INTERVAL = 60.0
MONITOR_PROGRESS_SITES = 0
MONITOR_SUMMARY_WORST = 20
MONITOR_RUN_DIR = "var/runs"
EXTENSIONS = {
    "monitor.extensions.outcomes.CrawlOutcomes": 500,
    # One run of a job per database at a time, however it was started (govmon, scrapy crawl, Scrapyd).
    "monitor.extensions.joblock.JobLock": 100,
    # Writes the rows the storage pipeline holds every MONITOR_FLUSH_SECONDS (bounds the loss of a kill -9).
    "monitor.extensions.flush.PeriodicFlush": 510,
    # A worker of a run queued for several machines reads the run from the queue (monitor/queue_worker.py).
    "monitor.extensions.queue.JoinQueue": 90,
    # What exists when the engine starts (imports, set-up) is frozen out of the garbage collector's walks.
    "monitor.extensions.heap.FreezeHeap": 0,  # MONITOR_GC_FREEZE
}
# A target site that still fails after its retries is a recorded outcome (pages, link_checks, the summary), not an
# error of the crawler: "Gave up retrying" goes to DEBUG (monitor/middlewares.py, any Scrapy version). Our own
# failures stay ERROR.
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"

# ------------------------------------------------------------------ Scrapy: politeness

ROBOTSTXT_OBEY = False  # supervisors are mandated to check these sites; robots rules target search engines
USER_AGENT = "govmon/0.1 (government website inspection; +https://www.gov.cn/zhengce/content/2019-04/18/content_5384134.htm)"  # ASCII: HTTP headers are latin-1
CONCURRENT_REQUESTS = 32  # throughput comes from many sites in parallel...
CONCURRENT_REQUESTS_PER_DOMAIN = 2  # ...never from hammering one small government server
# Scrapy starts this many asyncio tasks for every response to pass on what its callback yields (default 100, even
# for a link check yielding one item); the pipelines are synchronous, so more never overlap any waiting. 8 measured
# faster on both sides of bench/crawl_bench.py (median CPU of the bare side 3.8-5.8 s against 6.3-7.1 s with 100).
CONCURRENT_ITEMS = 8
DOWNLOAD_DELAY = 0.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 20
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024  # a page larger than this is recorded as too_large, not downloaded
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
# Status line and headers of one response, counted while they arrive (monitor/hostmap.py); past it the connection
# is aborted and the fetch recorded too_large (响应头超过上限). 256 KiB is Chromium's own limit (what the rendered
# pages and a visitor's browser accept; curl stops at 300 KiB); 0 = no cap (only Twisted's 16 KiB per line).
MONITOR_MAX_HEADER_BYTES = 256 * 1024
DEPTH_LIMIT = 6
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
HTTPERROR_ALLOW_ALL = True  # every status is a fact to record; the spider classifies it
DNS_TIMEOUT = 10
TWISTED_DNS_RESOLVER = "scrapy.resolver.CachingHostnameResolver"  # IPv6-capable (the default resolver is IPv4-only)
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
# Scrapy's formatter without the per-item and per-response DEBUG messages when LOG_LEVEL drops them anyway (built
# and dropped, they cost about 3 % of a crawl's CPU); with LOG_LEVEL=DEBUG they are logged as usual.
LOG_FORMATTER = "monitor.logformatter.QuietLogFormatter"
# Scrapy reads the source of every callback it has not seen to warn about a generator returning a value, and a bound
# method is a new object per request, so it parsed the spider's source hundreds of times a crawl (about 3 % of its
# CPU). tests/test_spider_callbacks.py runs that check once over every spider instead.
WARN_ON_GENERATOR_RETURN_VALUE = False

DOWNLOADER_MIDDLEWARES = {
    # Retry-After aware retries replace the stock retry middleware.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "monitor.middlewares.RetryAfterMiddleware": 550,
    # Drops every request of a crawl whose job is running already (monitor/extensions/joblock.py).
    "monitor.extensions.joblock.RefusedJobMiddleware": 10,
    # Big pages are read (extracted) in a worker thread, after redirects and decompression, before their callback.
    "monitor.middlewares.ReadInThread": 20,
    # Meta-refresh redirects as Scrapy follows them, without decoding every page to look for one.
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "monitor.middlewares.MetaRefresh": 580,
}

SPIDER_MIDDLEWARES = {
    # Knows when the last request of a target has finished (then the checks pipeline judges it).
    "monitor.extensions.targets.TargetTracker": 50,
}

ITEM_PIPELINES = {
    "monitor.pipelines.storage.StoragePipeline": 800,
    # Judges each crawled target with the rules that need only this crawl, once the crawl has finished.
    "monitor.pipelines.checks.ChecksPipeline": 900,
}

# ------------------------------------------------------------------ Scrapy: browser rendering

# The download handlers (http/https: monitor.hostmap.HostMapDownloadHandler, scrapy-playwright's handler plus the
# host map), PLAYWRIGHT_BROWSER_TYPE and PLAYWRIGHT_LAUNCH_OPTIONS (executable MONITOR_CHROMIUM, the host map as
# --host-resolver-rules) are set by the add-on; launch options or handlers set here are kept and completed.
# scrapy-playwright needs the asyncio reactor (Scrapy's default; named because it is chosen before any add-on runs).
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# Rendering is the exception (script-written footers and lists): a few pages at a time, 30 s per navigation.
PLAYWRIGHT_MAX_CONTEXTS = 2
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4
PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT = 30_000
PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER = True

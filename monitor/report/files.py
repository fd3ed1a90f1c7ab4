"""Report files are written whole or not at all: a full disk, a file-size limit or a killed process never leaves a
half-written CSV, XLSX, chart or notice under its final name, where it would look complete.

Each file is written to a hidden temporary name in the same folder (so the rename stays on one file system; with
the same suffix, so pandas and matplotlib choose the format by it), synced to disk, then renamed over its final
name; on any error the temporary file is removed and the error goes on to the caller (`govmon report` says which
folder could not be written and exits non-zero).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic(path: Path) -> Iterator[Path]:
    """Yield the temporary path to write `path`'s content to; it becomes `path` when the block ends without error."""
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.partial{path.suffix}")
    try:
        yield tmp
        with tmp.open("rb") as written:  # a delayed allocation failure surfaces here, not after the rename
            os.fsync(written.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> Path:
    with atomic(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


REASONS = {errno.ENOSPC: "磁盘空间已满 (no space left on device)", errno.EDQUOT: "磁盘配额已满 (disk quota exceeded)",
           errno.EFBIG: "文件超过允许的大小 (file too large)", errno.EACCES: "没有写入权限 (permission denied)",
           errno.EROFS: "文件系统只读 (read-only file system)"}


def write_failure(folder: Path, exc: OSError) -> str:
    """What `govmon report` says when its folder cannot be written."""
    reason = REASONS.get(exc.errno or 0, f"{exc.strerror or exc}")
    return (f"报告未写完整: 文件夹 {folder} 无法写入 — {reason}; 写了一半的文件已删除, 已写完的文件是完整的。"
            f"请释放空间或换一个 --out 文件夹后重新运行 govmon report。\n"
            f"report incomplete: folder {folder} could not be written ({exc}); no partial file was left.")

"""Per-process memory for values that carry their own expiry (gongke.api.auth keeps device
token grants in it, gongke.community.scope the posts checked under them)."""

import threading
import time
from typing import Any


class Memo:
    """Per-process memory for values that carry their own expiry (a grant; a post checked under
    a grant). Values are shared by the process's threads: callers hand a request a copy of a
    model instance (copy.copy), so one request's attributes never show in another's. Expired
    entries are dropped as new ones come in."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self.entries: dict[str, tuple[float, Any]] = {}
        self.lock = threading.Lock()

    def get(self, key: str, now: float) -> Any:
        entry = self.entries.get(key)
        if entry is None or entry[0] <= now:
            return None
        return entry[1]

    def set(self, key: str, value: Any, expires: float) -> None:
        with self.lock:
            if len(self.entries) >= self.size:
                now = time.time()
                self.entries = {k: e for k, e in self.entries.items() if e[0] > now}
                if len(self.entries) >= self.size:
                    self.entries.clear()
            self.entries[key] = (expires, value)

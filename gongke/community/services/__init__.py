"""包保小区 writes, one module per noun: passages (one or a batch, exactly once), fever alerts,
rosters, disinfection. Callers may import from here or from the noun's module."""

from .alerts import handle_alert, notify_fever, save_duty_settings
from .consolekeys import (
    console_key,
    issue_console_key,
    revoke_console_key,
    set_self_registration,
)
from .disinfection import check_publicity, log_disinfection, save_spot
from .passages import (
    ItemResult,
    build_passage,
    fever_threshold,
    purge_passages,
    record_passage,
    record_passages,
    reveal_id_number,
    subject_key,
)
from .rosters import assign, create_shift, sign_in, sign_out, uncovered

__all__ = [
    "ItemResult",
    "assign",
    "build_passage",
    "check_publicity",
    "console_key",
    "create_shift",
    "fever_threshold",
    "handle_alert",
    "issue_console_key",
    "log_disinfection",
    "notify_fever",
    "purge_passages",
    "record_passage",
    "record_passages",
    "reveal_id_number",
    "revoke_console_key",
    "save_duty_settings",
    "save_spot",
    "set_self_registration",
    "sign_in",
    "sign_out",
    "subject_key",
    "uncovered",
]

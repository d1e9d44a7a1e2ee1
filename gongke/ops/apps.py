import logging

from django.apps import AppConfig


def install_masking_record_factory() -> None:
    """Mask ID and phone numbers when a log record is made, whatever logger or handler sees it.

    The LOGGING filter guards the console handler; handlers added later (an operator's file
    handler, a test's caplog) would miss it, so records are masked at birth as well.
    """
    from gongke.lib.masking import MaskingFilter

    previous = logging.getLogRecordFactory()
    if getattr(previous, "gongke_masking", False):
        return
    masking = MaskingFilter()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        masking.filter(record)
        return record

    factory.gongke_masking = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class OpsConfig(AppConfig):
    """Operator commands: demo county, admin creation, backup and restore."""

    name = "gongke.ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy checks)

        install_masking_record_factory()

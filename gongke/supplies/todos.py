"""Supplies' to-dos (gongke.lib.todos): both sides of an accepted match are told.

When a need is matched to a member's offer (services.accept_match) a shipment is packed for
the need's organization. Its writers see "matched shipments to send" until it is sent; the
writers of the offering organization see "offers matched to a need" until the goods are
received, so the member knows to hand them over. Two counts, read through the access helpers."""

from typing import Any

from django.urls import reverse
from django.utils.translation import ngettext

from gongke.accounts.access import may
from gongke.lib import todos

from .access import offers_for, shipments_for
from .models import Shipment, ShipmentStatus


@todos.provider("supplies")
def supplies_todos(user: Any) -> list[todos.Todo]:
    if not may(user, "supplies"):
        return []
    out = []
    to_send = shipments_for(user).filter(offer__isnull=False, status=ShipmentStatus.PACKED).count()
    if to_send:
        out.append(
            todos.Todo(
                ngettext(
                    "%(n)s matched shipment to send",
                    "%(n)s matched shipments to send",
                    to_send,
                )
                % {"n": to_send},
                reverse("supplies:shipments") + "?status=packed",
                to_send,
            )
        )
    matched = (
        Shipment.objects.filter(offer__in=offers_for(user))
        .exclude(status=ShipmentStatus.RECEIVED)
        .values("offer")
        .distinct()
        .count()
    )
    if matched:
        out.append(
            todos.Todo(
                ngettext(
                    "%(n)s offer matched to a need: hand the goods over",
                    "%(n)s offers matched to needs: hand the goods over",
                    matched,
                )
                % {"n": matched},
                reverse("supplies:offers"),
                matched,
            )
        )
    return out

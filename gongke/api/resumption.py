"""/api/v1/resumption — filled in by the resumption app's work."""

from ninja import Router

router = Router()

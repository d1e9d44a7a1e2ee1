"""/api/v1/donations — filled in by the donations app's work."""

from ninja import Router

router = Router()

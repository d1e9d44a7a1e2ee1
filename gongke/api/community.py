"""/api/v1/community — filled in by the community app's work."""

from ninja import Router

router = Router()

"""The app's URLs plus the machine's floor: a minimal Django view that inserts one row."""

import json

from django.db import connection, transaction
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from gongke.urls import urlpatterns as app_urlpatterns


@csrf_exempt
def floor(request):
    body = json.loads(request.body)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_floor (client_id, body) VALUES (%s, %s)",
            [body["client_id"], request.body.decode()],
        )
    return JsonResponse({"ok": True}, status=201)


urlpatterns = [*app_urlpatterns, path("bench/floor", floor)]

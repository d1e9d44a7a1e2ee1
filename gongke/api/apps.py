from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "gongke.api"
    label = "gongke_api"
    verbose_name = "API"

from django.apps import AppConfig


class LiveblogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "liveblog"
    verbose_name = "Live blogs"

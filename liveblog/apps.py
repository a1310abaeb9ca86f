from django.apps import AppConfig


class LiveblogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "liveblog"
    verbose_name = "Live blogs"

    def ready(self) -> None:
        from liveblog.extensions import embeddable_pages
        from liveblog.pages.embed import find_live_target

        # What the oEmbed answer knows how to embed (results adds its pages).
        embeddable_pages.register("liveblog:live_page", find_live_target)
        embeddable_pages.register("liveblog:embed_live", find_live_target)

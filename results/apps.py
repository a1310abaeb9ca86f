from django.apps import AppConfig


class ResultsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "results"
    verbose_name = "Election results"

    def ready(self) -> None:
        # results is built on liveblog, never the other way round: posts learn here that
        # they can carry result cards (liveblog.extensions).
        from liveblog.extensions import PostExtension, embeddable_pages, post_extensions
        from results import demo, embed_views
        from results.api import schema  # noqa: F401  (drf-spectacular extensions)
        from results.api.serializers import ResultCardSerializer
        from results.models import post_cards_prefetch

        post_extensions.register(
            PostExtension(
                name="result_cards",
                prefetch=post_cards_prefetch,
                template="results/_post_cards.html",
                admin_inline="results.admin.ResultCardInline",
                api_field=(
                    "result_cards",
                    lambda: ResultCardSerializer(many=True, source="result_cards.all"),
                ),
                stylesheets=("results/results.css",),
                load_demo=lambda blog, editor: demo.load_results_demo(blog=blog, by=editor),
            )
        )
        # Partners may embed the results pages (liveblog's oEmbed answer finds them here).
        for prefix in ("results", "results_embed"):
            embeddable_pages.register(f"{prefix}:scoreboard", embed_views.find_scoreboard_target)
            embeddable_pages.register(
                f"{prefix}:constituency", embed_views.find_constituency_target
            )

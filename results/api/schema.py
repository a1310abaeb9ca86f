"""OpenAPI annotations for API views that do not describe themselves.

The results read API (results.api.views) returns nested serializers from plain APIViews;
drf-spectacular cannot guess them. These extensions describe them from here, without
changing the views. Imported by results.apps when Django starts, so they are registered
before any schema is generated.
"""

from drf_spectacular.extensions import OpenApiViewExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer

from results.api.views import ConstituencyResultApi, ScoreboardApi

NOT_FOUND = OpenApiResponse(description="No such election or constituency result.")
NOT_MODIFIED = OpenApiResponse(description="Not modified: the `If-None-Match` ETag is current.")

# Both views call their output "OutputSerializer": give the components distinct names.
extend_schema_serializer(component_name="Scoreboard")(ScoreboardApi.OutputSerializer)
extend_schema_serializer(component_name="ConstituencyResult")(
    ConstituencyResultApi.OutputSerializer
)


class ScoreboardApiSchema(OpenApiViewExtension):
    target_class = ScoreboardApi

    def view_replacement(self) -> type[ScoreboardApi]:
        class Described(self.target_class):  # type: ignore[name-defined,misc]
            @extend_schema(
                operation_id="elections_scoreboard_retrieve",
                responses={200: ScoreboardApi.OutputSerializer, 304: NOT_MODIFIED, 404: NOT_FOUND},
                summary="Seats won per party over the declared constituencies",
            )
            def get(self, *args, **kwargs):  # type: ignore[no-untyped-def]
                return super().get(*args, **kwargs)

        return Described


class ConstituencyResultApiSchema(OpenApiViewExtension):
    target_class = ConstituencyResultApi

    def view_replacement(self) -> type[ConstituencyResultApi]:
        class Described(self.target_class):  # type: ignore[name-defined,misc]
            @extend_schema(
                operation_id="elections_constituencies_retrieve",
                responses={
                    200: ConstituencyResultApi.OutputSerializer,
                    304: NOT_MODIFIED,
                    404: NOT_FOUND,
                },
                summary="One constituency's result card",
            )
            def get(self, *args, **kwargs):  # type: ignore[no-untyped-def]
                return super().get(*args, **kwargs)

        return Described

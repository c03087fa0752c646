"""Staff: the embedding model versions, their metrics, training and activation."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from neuralnotes.api import IsCatalogueManager, error_responses
from songs.api.serializers import QueuedTaskOutput
from songs.models import EmbeddingModel
from songs.services.embeddings import embedding_model_activate
from songs.tasks import train_genre_model


class EmbeddingModelOutput(serializers.ModelSerializer):
    dimension = serializers.IntegerField()

    class Meta:
        model = EmbeddingModel
        fields = [
            "id",
            "name",
            "kind",
            "state",
            "is_active",
            "dimension",
            "genres",
            "metrics",
            "created_at",
        ]


class TrainInput(serializers.Serializer):
    seed = serializers.IntegerField(default=0)
    activate = serializers.BooleanField(default=False)


class EmbeddingModelListView(APIView):
    permission_classes = [IsCatalogueManager]

    @extend_schema(
        operation_id="models_list",
        tags=["catalogue"],
        responses={
            200: inline_serializer(
                "EmbeddingModelList", fields={"results": EmbeddingModelOutput(many=True)}
            ),
            **error_responses(403),
        },
    )
    def get(self, request: Request) -> Response:
        """Every embedding model version, the active one marked, with the genre heads' held-out
        accuracy, macro-F1 and confusion matrix."""
        return Response(
            {"results": EmbeddingModelOutput(EmbeddingModel.objects.all(), many=True).data}
        )


class GenreModelTrainView(APIView):
    permission_classes = [IsCatalogueManager]

    @extend_schema(
        operation_id="models_train",
        tags=["catalogue"],
        request=TrainInput,
        responses={
            202: QueuedTaskOutput,
            **error_responses(400, 403, 415),
        },
    )
    def post(self, request: Request) -> Response:
        """Train a genre head on the labelled songs, on a worker; the new version appears in the
        list when done (its refusal, e.g. too few labelled songs, in the worker's log)."""
        data = TrainInput(data=request.data)
        data.is_valid(raise_exception=True)
        task = train_genre_model.delay(**data.validated_data)
        return Response({"task": task.id}, status=status.HTTP_202_ACCEPTED)


class EmbeddingModelActivateView(APIView):
    permission_classes = [IsCatalogueManager]

    @extend_schema(
        operation_id="models_activate",
        tags=["catalogue"],
        request=None,
        responses={200: EmbeddingModelOutput, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Make this version the one search and the map use (the map is rebuilt for it)."""
        # EmbeddingModelError: a 400 (neuralnotes.api.exception_handler)
        embedding_model = get_object_or_404(EmbeddingModel, pk=pk)
        embedding_model = embedding_model_activate(embedding_model=embedding_model)
        return Response(EmbeddingModelOutput(embedding_model).data)

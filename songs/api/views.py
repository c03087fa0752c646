"""The catalogue's API for staff: batches, uploads (files, zips, metadata), retrying songs."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePath

from django.core.files.uploadedfile import UploadedFile
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from neuralnotes.api import IsCatalogueManager, error_responses
from songs.api.serializers import (
    BatchInput,
    BatchOutput,
    FileInput,
    FileOutcomeOutput,
    SongOutput,
    UploadInput,
)
from songs.models import Song, UploadBatch
from songs.services.analysis import song_retry
from songs.services.ingestion import DEFAULT_CATALOGUE, batch_create, catalogue_get_or_create
from songs.services.metadata import METADATA_SUFFIXES
from songs.services.uploads import METADATA_MAX_BYTES, batch_add_upload, batch_set_metadata


@contextlib.contextmanager
def uploaded_path(uploaded: UploadedFile) -> Iterator[Path]:
    """A path on disk holding the upload: Django's own temporary file for large uploads, a copy
    for small ones kept in memory."""
    if hasattr(uploaded, "temporary_file_path"):
        yield Path(uploaded.temporary_file_path())
        return
    with tempfile.NamedTemporaryFile(suffix=PurePath(uploaded.name).suffix[:8]) as copy:
        for chunk in uploaded.chunks():
            copy.write(chunk)
        copy.flush()
        yield Path(copy.name)


def _add_files(request: Request, batch: UploadBatch, files: list[UploadedFile]) -> list:
    outcomes = []
    for uploaded in files:
        if uploaded.name.lower().endswith(METADATA_SUFFIXES):
            _set_metadata(batch, uploaded)
            continue
        with uploaded_path(uploaded) as path:
            outcomes += batch_add_upload(
                batch=batch, path=path, original_name=uploaded.name, uploaded_by=request.user
            )
    return outcomes


def _set_metadata(batch: UploadBatch, uploaded: UploadedFile) -> int:
    """Raises MetadataFileError: a 400 under ``metadata`` (neuralnotes.api.exception_handler)."""
    content = uploaded.read(METADATA_MAX_BYTES + 1)  # a larger one is refused unread
    return batch_set_metadata(batch=batch, name=uploaded.name, content=content)


class BatchListView(APIView):
    permission_classes = [IsCatalogueManager]
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        operation_id="batches_create",
        tags=["catalogue"],
        request=BatchInput,
        responses={201: BatchOutput, **error_responses(400, 403, 415)},
    )
    def post(self, request: Request) -> Response:
        """Open a batch that files are then added to one by one (the web upload page does this)."""
        data = BatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        batch = batch_create(
            source=UploadBatch.Source.WEB if request.auth is None else UploadBatch.Source.API,
            catalogue=catalogue_get_or_create(
                name=data.validated_data.get("catalogue") or DEFAULT_CATALOGUE
            ),
            created_by=request.user,
            name=data.validated_data.get("name", ""),
        )
        return Response(
            BatchOutput(batch, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class BatchDetailView(APIView):
    permission_classes = [IsCatalogueManager]

    @extend_schema(
        operation_id="batches_retrieve",
        tags=["catalogue"],
        responses={200: BatchOutput, **error_responses(403, 404)},
    )
    def get(self, request: Request, pk: int) -> Response:
        """The batch with its analysis progress: songs per state, rate, time left, rejections."""
        batch = get_object_or_404(UploadBatch.objects.select_related("catalogue"), pk=pk)
        return Response(BatchOutput(batch, context={"request": request}).data)


class BatchFilesView(APIView):
    permission_classes = [IsCatalogueManager]
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="batches_files_create",
        tags=["catalogue"],
        request=FileInput,
        responses={
            201: inline_serializer(
                "BatchFilesOutput", fields={"files": FileOutcomeOutput(many=True)}
            ),
            **error_responses(400, 403, 404, 415),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        """Add one file to the batch: audio, a zip of audio, or a CSV/JSON metadata file."""
        batch = get_object_or_404(UploadBatch, pk=pk)
        data = FileInput(data=request.data)
        data.is_valid(raise_exception=True)
        outcomes = _add_files(request, batch, [data.validated_data["file"]])
        return Response(
            {"files": FileOutcomeOutput(outcomes, many=True).data}, status=status.HTTP_201_CREATED
        )


class UploadView(APIView):
    permission_classes = [IsCatalogueManager]
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="uploads_create",
        tags=["catalogue"],
        request=UploadInput,
        responses={
            201: inline_serializer(
                "UploadOutput",
                fields={"batch": BatchOutput(), "files": FileOutcomeOutput(many=True)},
            ),
            **error_responses(400, 403, 415, 503),
        },
    )
    def post(self, request: Request) -> Response:
        """Upload files (audio or zips) in one request, with an optional metadata file: a new
        batch is made; the answer lists what became of each file and where to follow progress."""
        data = UploadInput(data={**request.data.dict(), "files": request.FILES.getlist("files")})
        data.is_valid(raise_exception=True)
        batch = batch_create(
            source=UploadBatch.Source.API,
            catalogue=catalogue_get_or_create(
                name=data.validated_data.get("catalogue") or DEFAULT_CATALOGUE
            ),
            created_by=request.user,
        )
        if "metadata" in data.validated_data:
            _set_metadata(batch, data.validated_data["metadata"])
        outcomes = _add_files(request, batch, data.validated_data["files"])
        return Response(
            {
                "batch": BatchOutput(batch, context={"request": request}).data,
                "files": FileOutcomeOutput(outcomes, many=True).data,
            },
            status=status.HTTP_201_CREATED,
        )


class SongRetryView(APIView):
    permission_classes = [IsCatalogueManager]

    @extend_schema(
        operation_id="songs_retry",
        tags=["catalogue"],
        request=None,
        responses={202: SongOutput, **error_responses(403, 404)},
    )
    def post(self, request: Request, pk: int) -> Response:
        """Analyse a failed song again."""
        song = song_retry(song=get_object_or_404(Song, pk=pk))
        return Response(SongOutput(song).data, status=status.HTTP_202_ACCEPTED)

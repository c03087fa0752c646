"""The one translation of domain errors: the API's exception handler and the pages' 500 handler."""

import pytest
from rest_framework.test import APIRequestFactory

from explorer.services import MapBuildRefused
from neuralnotes.api import exception_handler
from neuralnotes.errors import DomainError
from neuralnotes.signup import InvitationUnusable
from neuralnotes.views import server_error
from playlists.services import PlaylistError
from songs.selectors.alchemy import AlchemyError
from songs.services.clips import ClipBusy, ClipServiceUnavailable
from songs.services.duplicates import MergeError
from songs.services.embeddings import EmbeddingModelError
from songs.services.folders import SongFileOutsideLibrary
from songs.services.ingestion import RejectedFile, StorageUnavailable
from songs.services.metadata import MetadataFileError

# (error, status, code, fields, Retry-After): what the per-view translations used to answer.
ANSWERS = [
    (PlaylistError("No."), 400, "invalid", {"detail": ["No."]}, None),
    (MergeError("No."), 400, "invalid", {"detail": ["No."]}, None),
    (EmbeddingModelError("No."), 400, "invalid", {"detail": ["No."]}, None),
    (AlchemyError("No."), 400, "invalid", {"add": ["No."]}, None),
    (MetadataFileError("No."), 400, "invalid", {"metadata": ["No."]}, None),
    (RejectedFile("No."), 400, "invalid", {"file": ["No."]}, None),
    (ClipBusy("Wait."), 429, "busy", {}, "10"),
    (ClipServiceUnavailable("Down."), 503, "unavailable", {}, "60"),
    (StorageUnavailable("Down."), 503, "storage_unavailable", {}, "5"),
    (SongFileOutsideLibrary("No such song file."), 404, "not_found", {}, None),
    (InvitationUnusable("Used."), 403, "invitation_unusable", {}, None),
    (MapBuildRefused("Busy."), 409, "conflict", {}, None),
]


@pytest.mark.parametrize(("error", "status", "code", "fields", "retry_after"), ANSWERS)
def test_each_domain_error_answers_its_status_code_and_retry_after(
    error, status, code, fields, retry_after
):
    request = APIRequestFactory().post("/api/v1/anything/")
    response = exception_handler(error, {"request": request, "view": None})
    assert isinstance(error, DomainError)
    assert response.status_code == status
    body = response.data["error"]
    assert body["code"] == code
    assert body["fields"] == fields
    message = "The request has invalid fields." if status == 400 else str(error)
    assert body["message"] == message
    assert response.get("Retry-After") == retry_after


def test_a_domain_error_that_means_down_is_a_503_page_with_its_retry_after(rf):
    for error, retry_after in [
        (StorageUnavailable("Down."), "5"),
        (ClipServiceUnavailable(), "60"),
    ]:
        try:
            raise error
        except DomainError:
            response = server_error(rf.get("/songs/"))
        assert response.status_code == 503
        assert response["Retry-After"] == retry_after
        assert "temporarily unavailable" in response.content.decode()


def test_a_domain_error_of_a_4xx_reaching_a_page_stays_a_500(rf):
    try:
        raise PlaylistError("No.")
    except DomainError:
        response = server_error(rf.get("/playlists/"))
    assert response.status_code == 500

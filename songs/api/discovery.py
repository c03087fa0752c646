"""Discovery beyond one song's neighbours: search by words and song alchemy."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ml.vocabulary import Understanding
from neuralnotes.api import error_responses
from songs.api.serializers import NeighbourOutput, SongListOutput
from songs.selectors.alchemy import songs_alchemy
from songs.selectors.words import songs_by_words

EXAMPLE_WORDS = "piano, violin, drums, calm, fast, female vocals, rock, jazz, ambient"


class WordSearchInput(serializers.Serializer):
    q = serializers.CharField(max_length=300, help_text='Free words: "calm piano", "fast synth".')
    k = serializers.IntegerField(min_value=1, max_value=200, default=50)


class TermOutput(serializers.Serializer):
    text = serializers.CharField(help_text="The word or phrase of the query.")
    kind = serializers.ChoiceField(
        ["tags", "genre", "name"],
        help_text="tags: ranks by these tags; genre: keeps songs of these genres (ranking by the "
        "tags too when the genre's name is one); name: keeps songs with it in title, artist or "
        "album.",
    )
    how = serializers.CharField(
        help_text='"exact", "synonym", "plural or singular of …", "near spelling of …", '
        '"genre name" or "in song names".'
    )
    tags = serializers.ListField(child=serializers.CharField())
    genres = serializers.ListField(child=serializers.CharField())


class WordMatchOutput(serializers.Serializer):
    song = SongListOutput()
    match = serializers.FloatField(
        allow_null=True,
        help_text="Geometric mean over the tag words of the song's probability for them, 0 to 1; "
        "null when the query had no tag words.",
    )


class WordSearchOutput(serializers.Serializer):
    query = serializers.CharField()
    understood = TermOutput(many=True)
    not_understood = serializers.ListField(child=serializers.CharField())
    ignored = serializers.ListField(
        child=serializers.CharField(), help_text='Filler words such as "with", "some", "music".'
    )
    message = serializers.CharField(help_text="What was searched for, in words for the listener.")
    results = WordMatchOutput(many=True)


def explain(understanding: Understanding, found: int) -> str:
    """One sentence for the listener: what the search understood, and what it did not."""
    understood = [term for term in understanding.terms if term.kind in ("tags", "genre", "name")]
    unknown = [term.text for term in understanding.of_kind("unknown")]
    parts = []
    if understood and found:
        songs = f"{found} songs" if found != 1 else "1 song"
        words = ", ".join(_describe(term) for term in understood)
        parts.append(f"Best matches for {words}: {songs}.")
    elif understood:
        parts.append("No song for " + ", ".join(_describe(t) for t in understood) + ".")
    if unknown:
        parts.append(
            "Not understood: "
            + ", ".join(f"“{word}”" for word in unknown)
            + (f". Try words like {EXAMPLE_WORDS}." if not understood else ".")
        )
    if not parts:
        parts.append(f"Type words that describe the sound, like {EXAMPLE_WORDS}.")
    return " ".join(parts)


def _describe(term) -> str:
    if term.kind == "name":
        return f"“{term.text}” in names"
    if term.kind == "genre":
        return f"genre {' or '.join(term.genres)}"
    shown = ", ".join(dict.fromkeys(tag.lower() for tag in term.tags))
    if term.how == "exact":
        return f"“{term.text}”"
    return f"“{term.text}” ({term.how}: {shown})"


class WordSearchView(APIView):
    @extend_schema(
        operation_id="songs_by_words",
        tags=["discovery"],
        parameters=[WordSearchInput],
        responses={200: WordSearchOutput, **error_responses(400)},
    )
    def get(self, request: Request) -> Response:
        """Songs for free words: tag words ("calm", "piano", "fast", "female vocals", near
        spellings and synonyms too) rank songs by the two models' tag probabilities combined;
        genre words keep songs of that genre; words of titles, artists and albums keep songs
        with them. The answer says how each word was understood and which were not."""
        params = WordSearchInput(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data["q"].replace("\x00", "")
        search = songs_by_words(query=query, k=params.validated_data["k"])
        terms = search.understanding.terms
        return Response(
            WordSearchOutput(
                {
                    "query": query,
                    "understood": [t for t in terms if t.kind in ("tags", "genre", "name")],
                    "not_understood": [t.text for t in terms if t.kind == "unknown"],
                    "ignored": [t.text for t in terms if t.kind == "ignored"],
                    "message": explain(search.understanding, len(search.songs)),
                    "results": [{"song": song, "match": match} for song, match in search.songs],
                }
            ).data
        )


class AlchemyIngredient(serializers.Serializer):
    song = serializers.IntegerField(min_value=1)
    weight = serializers.FloatField(min_value=0.01, max_value=10, default=1.0)


class AlchemyInput(serializers.Serializer):
    add = AlchemyIngredient(many=True, min_length=1, max_length=20)
    subtract = AlchemyIngredient(many=True, max_length=20, default=list)
    k = serializers.IntegerField(min_value=1, max_value=100, default=20)


class AlchemyOutput(serializers.Serializer):
    add = serializers.ListField(child=serializers.IntegerField())
    subtract = serializers.ListField(child=serializers.IntegerField())
    results = NeighbourOutput(many=True)


class AlchemyView(APIView):
    @extend_schema(
        operation_id="songs_alchemy",
        tags=["discovery"],
        request=AlchemyInput,
        responses={200: AlchemyOutput, **error_responses(400)},
    )
    def post(self, request: Request) -> Response:
        """Song alchemy: the songs nearest to the added songs minus the subtracted ones (each
        weighted), never one of them. Save the result with POST /api/v1/playlists/ and
        /api/v1/playlists/{id}/songs/."""
        params = AlchemyInput(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        add = [(item["song"], item["weight"]) for item in data["add"]]
        subtract = [(item["song"], item["weight"]) for item in data["subtract"]]
        found = songs_alchemy(add=add, subtract=subtract, k=data["k"])  # AlchemyError: a 400
        return Response(
            AlchemyOutput(
                {
                    "add": [song_id for song_id, _ in add],
                    "subtract": [song_id for song_id, _ in subtract],
                    "results": [{"song": song, "distance": d} for song, d in found],
                }
            ).data
        )

import pytest

from ml.tags import MSD_TAGS, MTT_TAGS, SEARCH_TAGS
from ml.vocabulary import VOCABULARY, tag_weights, understand


def kinds(query: str, **kwargs) -> list[tuple[str, str]]:
    return [(term.text, term.kind) for term in understand(query, **kwargs).terms]


def test_a_tag_name_names_that_tag_of_each_model_that_has_it():
    rock = understand("rock").terms[0]

    assert rock.kind == "tags" and rock.how == "exact"
    assert rock.tag_indices == (MSD_TAGS.index("rock"), 50 + MTT_TAGS.index("rock"))


@pytest.mark.parametrize(
    ("word", "tags"),
    [
        ("calm", {"Mellow", "chill", "chillout", "quiet", "soft"}),
        ("fiddle", {"violin"}),
        ("hip-hop", {"Hip-Hop"}),
        ("r&b", {"rnb"}),
        ("eighties", {"80s"}),
        ("instrumental", {"instrumental", "no vocals", "no vocal", "no voice"}),
    ],
)
def test_synonyms_map_to_the_tags_that_mean_them(word, tags):
    (term,) = understand(word).terms

    assert term.kind == "tags" and set(term.tags) == tags


def test_the_longest_phrase_wins():
    terms = understand("fast electronic female vocals").terms

    assert [t.text for t in terms] == ["fast", "electronic", "female vocals"]
    assert "female vocalists" in terms[2].tags and "female voice" in terms[2].tags


def test_near_spellings_and_plurals_are_understood_and_say_so():
    pianno, drum, vocal = understand("pianno drum vocal").terms

    assert (pianno.tags, pianno.how) == (["piano"], "near spelling of piano")
    assert drum.tags == ["drums"]
    assert "vocal" in vocal.tags


def test_fillers_are_ignored_and_nonsense_is_reported_not_dropped():
    assert kinds("some music with xyzzy") == [
        ("some", "ignored"),
        ("music", "ignored"),
        ("with", "ignored"),
        ("xyzzy", "unknown"),
    ]


def test_genre_names_and_name_words_come_from_the_caller():
    terms = understand(
        "bossa nova rock bach",
        genres=["Bossa Nova", "Rock"],
        is_name_word=lambda word: word == "bach",
    ).terms

    assert [(t.text, t.kind) for t in terms] == [
        ("bossa nova", "genre"),
        ("rock", "genre"),
        ("bach", "name"),
    ]
    assert terms[0].genres == ("Bossa Nova",) and terms[0].tag_indices == ()
    # A genre whose name is a tag too ranks by the tag within the genre.
    assert terms[1].tag_indices == VOCABULARY["rock"]


def test_a_word_in_song_names_is_a_name_before_it_is_a_guess():
    assert kinds("blue", is_name_word=lambda w: w == "blue") == [("blue", "name")]
    assert understand("blue").terms[0].tags == ["blues"]  # plural of blue, when no name has it


def test_each_term_weighs_one_in_all():
    weights = tag_weights(understand("calm piano"))

    assert sum(weights.values()) == pytest.approx(2.0)
    assert weights[50 + MTT_TAGS.index("piano")] == pytest.approx(1.0)
    assert all(0 <= i < len(SEARCH_TAGS) for i in weights)

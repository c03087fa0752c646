"""Which tags a listener's words mean: "calm piano" -> the mellow/quiet/soft tags and the piano tag.

The vocabulary is the 100 tags of the two musicnn models (ml.tags.SEARCH_TAGS) under their own
names, plus the words listeners use for them instead (CONCEPTS: "calm" for mellow, chill, quiet and
soft; "fiddle" for violin; "hip hop" for Hip-Hop). A word or phrase is looked up in this order:

1. the vocabulary, longest phrase first (three words, then two, then one);
2. the catalogue's genre names (the caller passes them: a genre is a label, not a tag);
3. the words of titles, artists and albums (the caller passes a test for them);
4. the vocabulary again, as a plural or singular ("drum" for drums, "vocal" for vocals);
5. the vocabulary again, as a near spelling (difflib's similarity ratio at least 0.8, words of
   four letters or more: "pianno", "violn", "electornic").

Filler words ("with", "some", "music") are ignored and said to be; anything else is reported as
not understood, so that an answer never comes back empty without a reason. No Django here.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from ml.tags import SEARCH_TAGS

MAX_PHRASE_WORDS = 3
NEAR_SPELLING_CUTOFF = 0.8
NEAR_SPELLING_MIN_LENGTH = 4

# (what listeners say, the tag names that mean it). A tag's own name needs no entry.
CONCEPTS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("calm", "relaxing", "relaxed", "peaceful", "gentle", "mellow", "laid back", "chilled",
      "tranquil", "serene"), ("mellow", "chill", "chillout", "quiet", "soft")),
    (("chill", "chillout", "chill out"), ("chill", "chillout")),
    (("quiet", "silent", "hushed"), ("quiet", "soft")),
    (("soft", "delicate", "tender"), ("soft",)),
    (("fast", "quick", "upbeat", "uptempo", "up tempo", "energetic", "lively"), ("fast",)),
    (("slow", "downtempo", "down tempo", "lento"), ("slow",)),
    (("loud", "noisy", "powerful", "intense"), ("loud",)),
    (("heavy",), ("loud", "metal", "heavy metal", "hard rock")),
    (("happy", "cheerful", "joyful", "joyous", "uplifting", "sunny"), ("happy",)),
    (("sad", "melancholic", "melancholy", "gloomy", "sorrowful", "mournful"), ("sad",)),
    (("beautiful", "lovely", "pretty"), ("beautiful",)),
    (("weird", "strange", "odd", "bizarre", "quirky"), ("weird",)),
    (("party", "partying"), ("party",)),
    (("dance", "danceable", "dancing", "club"), ("dance",)),
    (("vocal", "vocals", "voice", "voices", "singing", "singer", "singers", "sung", "vocalist",
      "vocalists", "song with words"), ("vocal", "vocals", "voice", "singing")),
    (("female", "woman", "women", "female vocals", "female vocal", "female voice",
      "female singer", "female vocalist", "female vocalists", "girl"),
     ("female", "woman", "female vocal", "female voice", "female vocalists", "female vocalist")),
    (("male", "man", "men", "male vocals", "male vocal", "male voice", "male singer",
      "male vocalist", "male vocalists"),
     ("male", "man", "male vocal", "male voice", "male vocalists")),
    (("instrumental", "no vocals", "no vocal", "no voice", "no voices", "no singing",
      "without vocals", "without singing", "without voice"),
     ("instrumental", "no vocals", "no vocal", "no voice")),
    (("piano", "pianos", "pianist", "keys", "keyboard", "grand piano"), ("piano",)),
    (("violin", "violins", "violinist", "fiddle", "fiddles", "fiddler"), ("violin",)),
    (("strings", "string", "string section", "orchestral", "orchestra", "string quartet",
      "bowed"), ("strings",)),
    (("cello", "cellos", "cellist", "violoncello"), ("cello",)),
    (("guitar", "guitars", "guitarist", "acoustic guitar", "electric guitar"), ("guitar",)),
    (("drums", "drum", "drummer", "percussion", "drum kit", "drumkit"), ("drums",)),
    (("beat", "beats", "groove", "grooves", "rhythmic"), ("beat", "beats")),
    (("synth", "synths", "synthesizer", "synthesizers", "synthesiser", "synthesisers",
      "synthetic"), ("synth",)),
    (("electronic", "electronica", "electro", "edm"), ("electronic", "electronica", "electro")),
    (("techno",), ("techno",)),
    (("house",), ("house",)),
    (("choir", "choirs", "choral", "chorus", "chorale", "chorales", "hymn", "hymns"),
     ("choir", "choral")),
    (("opera", "operatic", "aria"), ("opera",)),
    (("classical", "classic", "baroque"), ("classical", "classic")),
    (("harpsichord", "cembalo", "clavecin"), ("harpsichord",)),
    (("flute", "flutes", "flautist", "recorder", "pipe", "pipes"), ("flute",)),
    (("harp", "harps", "harpist"), ("harp",)),
    (("sitar",), ("sitar", "indian")),
    (("indian", "india", "raga"), ("indian",)),
    (("solo", "alone", "unaccompanied"), ("solo",)),
    (("hip hop", "hiphop", "rap", "rapper"), ("hip hop",)),
    (("r&b", "rnb", "rhythm and blues"), ("rnb",)),
    (("new age", "newage", "meditation", "meditative"), ("new age",)),
    (("easy listening", "lounge"), ("easy listening",)),
    (("ambient", "atmospheric", "drone"), ("ambient",)),
    (("acoustic", "unplugged"), ("acoustic",)),
    (("sexy", "sensual"), ("sexy",)),
    (("catchy", "earworm"), ("catchy",)),
    (("oldies", "old"), ("oldies",)),
    (("00s", "2000s", "noughties"), ("00s",)),
    (("90s", "1990s", "nineties"), ("90s",)),
    (("80s", "1980s", "eighties"), ("80s",)),
    (("70s", "1970s", "seventies"), ("70s",)),
    (("60s", "1960s", "sixties"), ("60s",)),
)  # fmt: skip

FILLER_WORDS = frozenset(
    {
        "a", "an", "and", "the", "with", "without", "of", "for", "in", "on", "to", "some",
        "something", "anything", "any", "music", "song", "songs", "track", "tracks", "tune",
        "tunes", "sound",
        "sounds", "sounding", "like", "that", "is", "it", "please", "me", "my", "by", "or", "more",
        "very", "really", "bit", "little", "lots", "lot", "kind", "sort", "style", "type", "stuff",
    }
)  # fmt: skip


def normalise(text: str) -> list[str]:
    """Lower-case words of a query; hyphens and underscores separate words ("hip-hop": hip hop),
    "r&b" keeps its ampersand, other punctuation goes."""
    text = re.sub(r"[-_/]+", " ", text.lower())
    return re.findall(r"[\w&']+", text)


def _tag_key(tag: str) -> str:
    return " ".join(normalise(tag))


def _build_vocabulary() -> dict[str, tuple[int, ...]]:
    by_name: dict[str, list[int]] = {}
    for index, tag in enumerate(SEARCH_TAGS):
        by_name.setdefault(_tag_key(tag), []).append(index)
    vocabulary = {name: tuple(indices) for name, indices in by_name.items()}
    for phrases, names in CONCEPTS:
        indices = tuple(sorted({i for name in names for i in by_name[_tag_key(name)]}))
        for phrase in phrases:
            vocabulary[" ".join(normalise(phrase))] = indices
    return vocabulary


# phrase -> indices into SEARCH_TAGS (a tag name shared by both models names both tags)
VOCABULARY: dict[str, tuple[int, ...]] = _build_vocabulary()


@dataclass(frozen=True)
class Term:
    """One word or phrase of a query and what it was understood as.

    kind: "tags" (tag_indices into SEARCH_TAGS), "genre" (genres, and tag_indices when the
    genre's name is a tag as well: "rock"), "name" (a word of titles, artists or albums),
    "ignored" (a filler word) or "unknown". how: "exact", "synonym",
    "plural or singular of X", "near spelling of X", "genre name", "in song names"."""

    text: str
    kind: str
    how: str = ""
    tag_indices: tuple[int, ...] = ()
    genres: tuple[str, ...] = ()

    @property
    def tags(self) -> list[str]:
        return [SEARCH_TAGS[i] for i in self.tag_indices]


@dataclass
class Understanding:
    terms: list[Term] = field(default_factory=list)

    def of_kind(self, kind: str) -> list[Term]:
        return [term for term in self.terms if term.kind == kind]


def understand(
    text: str,
    *,
    genres: Collection[str] = (),
    is_name_word: Callable[[str], bool] = lambda word: False,
) -> Understanding:
    """Split a free-text query into terms and say what each means (see the module docstring).

    genres: the catalogue's genre names as shown ("Bossa Nova"); a query phrase equal to a genre
    name, or a word of four letters or more equal to one word of it ("bossa"), means that genre.
    is_name_word(word): whether the word occurs in some title, artist or album."""
    words = normalise(text)[:32]
    genre_phrases: dict[str, set[str]] = {}
    for genre in genres:
        genre_words = normalise(genre)
        genre_phrases.setdefault(" ".join(genre_words), set()).add(genre)
        for word in genre_words:
            if len(word) >= 4 and word not in FILLER_WORDS:
                genre_phrases.setdefault(word, set()).add(genre)
    terms: list[Term] = []
    position = 0
    while position < len(words):
        term, used = _longest_match(words, position, genre_phrases)
        if term is None:
            term, used = _single_word(words[position], is_name_word), 1
        terms.append(term)
        position += used
    return Understanding(terms)


def _longest_match(
    words: list[str], start: int, genre_phrases: dict[str, set[str]]
) -> tuple[Term | None, int]:
    for length in range(min(MAX_PHRASE_WORDS, len(words) - start), 0, -1):
        phrase = " ".join(words[start : start + length])
        indices = VOCABULARY.get(phrase, ())
        genres = tuple(sorted(genre_phrases.get(phrase, ())))
        if genres:  # a label of this catalogue; its tags, if it is one too, rank within it
            return Term(phrase, "genre", "genre name", indices, genres), length
        if indices:
            exact = any(_tag_key(SEARCH_TAGS[i]) == phrase for i in indices)
            return Term(phrase, "tags", "exact" if exact else "synonym", indices), length
    return None, 0


def _single_word(word: str, is_name_word: Callable[[str], bool]) -> Term:
    if word in FILLER_WORDS:
        return Term(word, "ignored")
    if is_name_word(word):
        return Term(word, "name", "in song names")
    for variant in _number_variants(word):
        if variant in VOCABULARY:
            return Term(word, "tags", f"plural or singular of {variant}", VOCABULARY[variant])
    if len(word) >= NEAR_SPELLING_MIN_LENGTH:
        close = difflib.get_close_matches(
            word, [p for p in VOCABULARY if " " not in p], n=1, cutoff=NEAR_SPELLING_CUTOFF
        )
        if close:
            return Term(word, "tags", f"near spelling of {close[0]}", VOCABULARY[close[0]])
    return Term(word, "unknown")


def _number_variants(word: str) -> list[str]:
    variants = [word + "s", word + "es"]
    if word.endswith("es"):
        variants.append(word[:-2])
    if word.endswith("s"):
        variants.append(word[:-1])
    return variants


def tag_weights(understanding: Understanding) -> dict[int, float]:
    """Weights on SEARCH_TAGS indices: each term with tags (a genre may be a tag too) weighs 1
    in all, shared by its tags.

    Ranking by sum(weight * log p) ranks by the product over terms of the geometric mean of each
    term's tags' probabilities: every term asked for counts, a synonym group as one."""
    weights: dict[int, float] = {}
    for term in understanding.terms:
        for index in term.tag_indices:
            weights[index] = weights.get(index, 0.0) + 1.0 / len(term.tag_indices)
    return weights

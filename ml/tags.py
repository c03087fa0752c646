"""The tags the musicnn models predict (light to import: no TensorFlow here)."""

import numpy as np

# musicnn's configuration.MSD_LABELS, in the order of the model's 50 outputs.
MSD_TAGS: tuple[str, ...] = (
    "rock", "pop", "alternative", "indie", "electronic", "female vocalists", "dance", "00s",
    "alternative rock", "jazz", "beautiful", "metal", "chillout", "male vocalists",
    "classic rock", "soul", "indie rock", "Mellow", "electronica", "80s", "folk", "90s", "chill",
    "instrumental", "punk", "oldies", "blues", "hard rock", "ambient", "acoustic",
    "experimental", "female vocalist", "guitar", "Hip-Hop", "70s", "party", "country",
    "easy listening", "sexy", "catchy", "funk", "electro", "heavy metal", "Progressive rock",
    "60s", "rnb", "indie pop", "sad", "House", "happy",
)  # fmt: skip

# musicnn's configuration.MTT_LABELS: the MagnaTagATune model's 50 outputs, in order. Where the
# MSD tags are mostly genres, moods and decades, these name instruments, voices and textures.
MTT_TAGS: tuple[str, ...] = (
    "guitar", "classical", "slow", "techno", "strings", "drums", "electronic", "rock", "fast",
    "piano", "ambient", "beat", "violin", "vocal", "synth", "female", "indian", "opera", "male",
    "singing", "vocals", "no vocals", "harpsichord", "loud", "quiet", "flute", "woman",
    "male vocal", "no vocal", "pop", "soft", "sitar", "solo", "man", "classic", "choir", "voice",
    "new age", "dance", "male voice", "female vocal", "beats", "harp", "cello", "no voice",
    "weird", "country", "metal", "female voice", "choral",
)  # fmt: skip

# Both models' tags in the order of a song's tag vector (songs.models.TagVector): MSD, then MTT.
SEARCH_TAGS: tuple[str, ...] = MSD_TAGS + MTT_TAGS

# Below this a probability says no more than "absent"; it also keeps log() finite.
PROBABILITY_FLOOR = 1e-4


def tag_log_probabilities(msd: np.ndarray, mtt: np.ndarray) -> np.ndarray:
    """The searchable tag vector of a song: log-probabilities of SEARCH_TAGS.

    msd, mtt: (50,) probabilities in [0, 1] (MSD_TAGS and MTT_TAGS order). Returns (100,)
    float32. Word search ranks by a weighted sum of these, that is by the product of the
    matched tags' probabilities, so a song must carry every asked-for tag to rank high.
    """
    both = np.concatenate([np.asarray(msd, np.float64), np.asarray(mtt, np.float64)])
    return np.log(np.clip(both, PROBABILITY_FLOOR, 1.0)).astype(np.float32)

"""Naming clusters and ranking their songs: arrays in, names and orders out."""

import numpy as np

from ml.clusters import cluster_songs, name_clusters, typical_order
from ml.tags import MSD_TAGS, MTT_TAGS


def tags_with(n: int, names: tuple[str, ...], high: dict[int, list[str]], labels, seed=0):
    """(n, len(names)) probabilities around 0.2; songs of cluster c have high[c]'s tags at 0.9."""
    rng = np.random.default_rng(seed)
    tags = rng.uniform(0.1, 0.3, (n, len(names)))
    for cluster, words in high.items():
        for word in words:
            tags[np.asarray(labels) == cluster, names.index(word)] = rng.uniform(0.8, 1.0)
    return tags


def test_the_most_typical_songs_point_nearest_to_the_clusters_mean_direction():
    # Angles in degrees and lengths; the cluster's mean direction is about 0.2 degrees.
    songs = [(35, 1.0), (-10, 5.0), (-40, 2.0), (0, 0.5), (15, 3.0)]
    vectors = np.array([[r * np.cos(np.radians(a)), r * np.sin(np.radians(a))] for a, r in songs])
    vectors = np.vstack([vectors, [[-1.0, 0.0]]])  # another cluster
    labels = np.array([0, 0, 0, 0, 0, 1])

    order = typical_order(vectors, labels)

    # By angle from the centre, whatever their length.
    assert order[0].tolist() == [3, 1, 4, 0, 2]
    assert order[1].tolist() == [5]


def test_a_cluster_is_named_from_its_tags_then_its_genre():
    labels = np.repeat([0, 1, 2], 10)
    msd = tags_with(30, MSD_TAGS, {0: ["Mellow"], 1: ["metal"], 2: ["House"]}, labels)
    mtt = tags_with(30, MTT_TAGS, {0: ["piano"], 1: ["loud"], 2: ["synth"]}, labels)
    genres = ["classical"] * 10 + ["metal"] * 10 + [""] * 10

    names = name_clusters(labels, tag_sets=[(msd, MSD_TAGS), (mtt, MTT_TAGS)], genres=genres)

    assert len(names) == 3
    (first, first_words), (second, second_words), (third, third_words) = names
    assert first_words[-1] == "Classical" and set(first_words[:2]) == {"Mellow", "Piano"}
    assert first == " · ".join(first_words)
    # "metal" is both the genre and the MSD and MTT tag: the name says it once, as the genre.
    assert second_words.count("Metal") == 1 and second_words[-1] == "Metal"
    assert "Loud" in second_words
    assert set(third_words) >= {"House", "Synth"} and len(third_words) == 3


def test_a_genre_only_a_few_songs_have_does_not_name_the_cluster():
    labels = np.repeat([0, 1], 10)
    msd = tags_with(20, MSD_TAGS, {0: ["jazz"], 1: ["punk"]}, labels)
    genres = ["jazz"] * 3 + [""] * 7 + ["folk"] * 10  # 3 in 10 of the first cluster: too few

    (_, jazz), _ = name_clusters(labels, tag_sets=[(msd, MSD_TAGS)], genres=genres)

    assert jazz[0] == "Jazz" and len(jazz) == 3


def test_songs_without_the_second_models_tags_do_not_count_against_a_tag():
    labels = np.repeat([0, 1], 10)
    msd = np.full((20, len(MSD_TAGS)), 0.2)
    mtt = tags_with(20, MTT_TAGS, {0: ["harp"], 1: ["drums"]}, labels)
    mtt[::2] = np.nan  # analysed before the MagnaTagATune model ran

    names = name_clusters(labels, tag_sets=[(msd, MSD_TAGS), (mtt, MTT_TAGS)], genres=[""] * 20)

    assert names[0][1][0] == "Harp" and names[1][1][0] == "Drums"
    # A cluster with no MTT-tagged song at all is named from what it has.
    mtt[labels == 1] = np.nan
    names = name_clusters(labels, tag_sets=[(msd, MSD_TAGS), (mtt, MTT_TAGS)], genres=[""] * 20)
    assert names[1] == ("Cluster 2", [])


def test_the_two_models_ways_of_saying_one_thing_count_once():
    labels = np.repeat([0, 1], 10)
    msd = tags_with(20, MSD_TAGS, {0: ["female vocalists", "female vocalist"]}, labels)
    mtt = tags_with(20, MTT_TAGS, {0: ["female voice", "woman"]}, labels)

    (_, words), _ = name_clusters(
        labels, tag_sets=[(msd, MSD_TAGS), (mtt, MTT_TAGS)], genres=[""] * 20
    )

    assert words[0] == "Female vocals" and words.count("Female vocals") == 1


def test_clusters_that_would_share_a_name_get_a_word_that_tells_them_apart():
    labels = np.repeat([0, 1, 2], 10)
    # Clusters 0 and 1 are both mellow acoustic folk; 0 is a little happy, 1 a little sad.
    msd = np.full((30, len(MSD_TAGS)), 0.1)
    for cluster, extra in ((0, "happy"), (1, "sad")):
        rows = labels == cluster
        msd[rows, MSD_TAGS.index("Mellow")] = 0.9
        msd[rows, MSD_TAGS.index("acoustic")] = 0.85
        msd[rows, MSD_TAGS.index(extra)] = 0.3
    msd[labels == 2, MSD_TAGS.index("rock")] = 0.9
    genres = ["folk"] * 20 + ["rock"] * 10

    names = name_clusters(labels, tag_sets=[(msd, MSD_TAGS)], genres=genres)

    assert names[0] == ("Mellow · Acoustic · Happy · Folk", ["Mellow", "Acoustic", "Happy", "Folk"])
    assert names[1][1] == ["Mellow", "Acoustic", "Sad", "Folk"]
    assert names[2][1][-1] == "Rock" and len({name for name, _ in names}) == 3


def test_clusters_with_nothing_to_tell_them_apart_are_numbered():
    labels = np.repeat([0, 1, 2], 5)
    msd = np.full((15, len(MSD_TAGS)), 0.5)  # no tag says anything

    names = name_clusters(labels, tag_sets=[(msd, MSD_TAGS)], genres=["folk"] * 15)
    assert [name for name, _ in names] == ["Cluster 1", "Cluster 2", "Cluster 3"]

    genres = ["folk"] * 10 + ["jazz"] * 5
    names = name_clusters(labels, tag_sets=[(msd, MSD_TAGS)], genres=genres)
    assert [name for name, _ in names] == ["Folk", "Folk (2)", "Jazz"]
    assert names[1][1] == ["Folk"]


def test_clusters_of_real_shapes_are_named_and_ranked_end_to_end():
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 1, (3, 32)) * 3
    labels_true = np.repeat([0, 1, 2], 15)
    vectors = centres[labels_true] + rng.normal(0, 1, (45, 32))
    labels = cluster_songs(vectors, seed=0, n_clusters=3)
    msd = tags_with(45, MSD_TAGS, {0: ["jazz"], 1: ["metal"], 2: ["ambient"]}, labels_true)

    names = name_clusters(labels, tag_sets=[(msd, MSD_TAGS)], genres=[""] * 45)
    orders = typical_order(vectors, labels)

    assert sorted(len(o) for o in orders) == [15, 15, 15]
    assert {words[0] for _, words in names} == {"Jazz", "Metal", "Ambient"}

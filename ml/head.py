"""The genre head: a small Keras network trained on top of the frozen backbone's song embeddings.

Transfer learning as in the project that inspired us (there a fine-tuned VGG16, here musicnn kept
frozen): the catalogue's genre-labelled songs teach a two-layer head that gives genre
probabilities for unlabelled songs, and its 32-unit bottleneck is a compact embedding tuned to
the catalogue's own idea of genre.

Input: standardised backbone embeddings, (n_songs, d) float32. Training is seeded and
deterministic: the same songs, labels and seed give the same weights.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
from sklearn.model_selection import train_test_split

EMBEDDING_DIM = 32
MIN_SONGS_PER_GENRE = 5
# The held-out share; with at least MIN_SONGS_PER_GENRE songs a genre gets >= 1 song there.
VALIDATION_FRACTION = 0.2
BOTTLENECK_LAYER = "embedding"


class GenreTrainingError(ValueError):
    """The labelled songs cannot train a head; the message says what is missing."""


@dataclass(frozen=True)
class GenreHeadResult:
    model: object  # keras.Model: input (d,), outputs [genre probabilities, embedding]
    genres: list[str]  # class names, in the order of the probability columns
    train_size: int
    validation_size: int
    accuracy: float  # on the held-out songs
    macro_f1: float
    confusion: list[list[int]]  # rows: true genre, columns: predicted, in `genres` order
    epochs: int  # trained before early stopping kept the best


def check_trainable(labels: list[str], *, min_per_genre: int = MIN_SONGS_PER_GENRE) -> None:
    """Raise GenreTrainingError unless there are >= 2 genres with >= min_per_genre songs each."""
    counts = Counter(labels)
    if len(counts) < 2:
        found = f"only {next(iter(counts))!r}" if counts else "none"
        raise GenreTrainingError(
            f"A genre model needs labelled songs of at least 2 genres; found {found}."
        )
    short = sorted(genre for genre, count in counts.items() if count < min_per_genre)
    if short:
        detail = ", ".join(f"{genre!r} has {counts[genre]}" for genre in short)
        raise GenreTrainingError(
            f"Each genre needs at least {min_per_genre} labelled songs: {detail}. "
            "Label more songs or leave those genres out."
        )


def build_head(input_dim: int, n_genres: int, *, seed: int):
    """The head network: (input_dim,) -> dense 128 relu -> dropout -> 32 linear (the embedding,
    linear so that no song's vector is all zeros under cosine distance) -> softmax."""
    import keras

    inputs = keras.Input(shape=(input_dim,), name="backbone_embedding")
    x = keras.layers.Dense(
        128, activation="relu", kernel_initializer=keras.initializers.GlorotUniform(seed)
    )(inputs)
    x = keras.layers.Dropout(0.3, seed=seed)(x)
    embedding = keras.layers.Dense(
        EMBEDDING_DIM,
        name=BOTTLENECK_LAYER,
        kernel_initializer=keras.initializers.GlorotUniform(seed + 1),
    )(x)
    probabilities = keras.layers.Dense(
        n_genres,
        activation="softmax",
        name="genre",
        kernel_initializer=keras.initializers.GlorotUniform(seed + 2),
    )(embedding)
    return keras.Model(inputs, [probabilities, embedding])


def train_genre_head(
    embeddings: np.ndarray,
    labels: list[str],
    *,
    seed: int = 0,
    max_epochs: int = 300,
    patience: int = 25,
) -> GenreHeadResult:
    """Train a head on (n_songs, d) float32 embeddings with one genre label per song.

    A stratified share of VALIDATION_FRACTION is held out; training stops early when the
    validation loss stops improving, keeping the best weights; metrics are on the held-out songs.
    """
    import keras

    check_trainable(labels)
    genres = sorted(set(labels))
    y = np.array([genres.index(label) for label in labels])
    x = np.asarray(embeddings, dtype=np.float32)
    train_idx, val_idx = train_test_split(
        np.arange(len(y)), test_size=VALIDATION_FRACTION, stratify=y, random_state=seed
    )
    if len(val_idx) < len(genres):  # tiny catalogues: make sure each genre is held out once
        train_idx, val_idx = train_test_split(
            np.arange(len(y)), test_size=len(genres), stratify=y, random_state=seed
        )

    keras.utils.set_random_seed(seed)
    model = build_head(x.shape[1], len(genres), seed=seed)
    # Train through the probabilities alone; the embedding output shares the same layers.
    classifier = keras.Model(model.inputs, model.outputs[0])
    classifier.compile(
        optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy"
    )
    stop = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=patience, restore_best_weights=True
    )
    history = classifier.fit(
        x[train_idx],
        y[train_idx],
        validation_data=(x[val_idx], y[val_idx]),
        epochs=max_epochs,
        batch_size=32,
        shuffle=True,
        callbacks=[stop],
        verbose=0,
    )
    predicted = predict_head(model, x[val_idx])[0].argmax(axis=1)
    return GenreHeadResult(
        model=model,
        genres=genres,
        train_size=len(train_idx),
        validation_size=len(val_idx),
        accuracy=float(accuracy_score(y[val_idx], predicted)),
        macro_f1=float(f1_score(y[val_idx], predicted, average="macro", zero_division=0)),
        confusion=confusion_matrix(y[val_idx], predicted, labels=range(len(genres))).tolist(),
        epochs=len(history.history["loss"]),
    )


def predict_head(model, embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Genre probabilities (n, n_genres) and head embeddings (n, 32), both float32."""
    x = np.asarray(embeddings, dtype=np.float32)
    if len(x) == 0:
        n_genres = model.outputs[0].shape[-1]
        return np.zeros((0, n_genres), np.float32), np.zeros((0, EMBEDDING_DIM), np.float32)
    probabilities, embedding = model.predict(x, batch_size=256, verbose=0)
    return probabilities.astype(np.float32), embedding.astype(np.float32)


def save_head(model, path: Path) -> None:
    """Write the model to ``path`` (a ``.keras`` file) through a temporary name, so a reader never
    sees half a file."""
    partial = path.with_name(path.stem + ".partial.keras")
    model.save(partial)
    partial.replace(path)


def load_head(path: Path):
    import keras

    return keras.models.load_model(path, compile=False)

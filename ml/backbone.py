"""The pretrained musicnn backbone (Pons & Serra, 2019; Million Song Dataset, 50 tags).

The `musicnn` package on PyPI ships TensorFlow 1 checkpoints; its Python code does not run on
today's numpy and TensorFlow, so only its files are used. The training graph in the `.meta`
file is cut down to the two outputs we need, every variable becomes a constant read from the
checkpoint and the training flag becomes the constant False, so TensorFlow's graph optimiser
folds the batch normalisations and drops dropout: about twice as fast as feeding the flag.

What is used of it: the 200-d penultimate layer (the batch-normalised dense layer before the 50
tag logits) and the tag probabilities. The penultimate layer keeps what the tags were learnt
from without squeezing it into 50 tag names; its mean over a song's patches is
`Song.features`, and with the MagnaTagATune model's it makes the descriptor that songs are
compared by (ml.descriptor, which says what was measured).

A process that has loaded and run the model holds about 1.2 GB resident (TensorFlow's import
alone is 0.6 GB; oneDNN's kernels, 4x faster here than TensorFlow's own, add the rest).
"""

import functools
import importlib.util
import os

import numpy as np
import tensorflow as tf
from tensorflow.core.framework import graph_pb2
from tensorflow.core.protobuf import meta_graph_pb2

from ml.spectrogram import N_MELS, PATCH_FRAMES
from ml.tags import MSD_TAGS

# Stored alongside embeddings and standardisation statistics: a new value means re-embed.
MODEL_VERSION = "musicnn-0.1.0/MSD_musicnn/penultimate-mean"
EMBEDDING_DIM = 200


_INPUT = "model/Placeholder:0"  # (batch, 187, 96) float32 log-mel patches
_TRAINING_FLAG = "model/Placeholder_2"
_PENULTIMATE = "model/batch_normalization_10/batchnorm/add_1"  # (batch, 200)
_TAG_PROBABILITIES = "model/Sigmoid"  # (batch, 50)


def musicnn_checkpoint_prefix(model: str = "MSD_musicnn") -> str:
    """Checkpoint prefix inside the installed `musicnn` package (its files are `<dir>/.meta`).

    The package's own `checkpoint` file names a folder on its author's machine, so the prefix
    is built from the installed location instead.
    """
    spec = importlib.util.find_spec("musicnn")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("musicnn is not installed: pip install --no-deps musicnn==0.1.0")
    prefix = os.path.join(spec.submodule_search_locations[0], model) + os.sep
    if not os.path.exists(prefix + ".meta"):
        raise FileNotFoundError(f"no musicnn checkpoint at {prefix}.meta")
    return prefix


class MusicnnBackbone:
    """A frozen musicnn graph in its own TensorFlow session; thread-safe, load it once."""

    def __init__(
        self,
        *,
        checkpoint_prefix: str,
        intra_op_threads: int,
        inter_op_threads: int,
        batch_size: int,
    ) -> None:
        self.batch_size = batch_size
        graph = tf.Graph()
        with graph.as_default():
            tf.compat.v1.import_graph_def(_frozen_graph_def(checkpoint_prefix), name="")
        self._session = tf.compat.v1.Session(
            graph=graph,
            config=tf.compat.v1.ConfigProto(
                intra_op_parallelism_threads=intra_op_threads,
                inter_op_parallelism_threads=inter_op_threads,
            ),
        )
        self._input = graph.get_tensor_by_name(_INPUT)
        self._outputs = [
            graph.get_tensor_by_name(f"{_PENULTIMATE}:0"),
            graph.get_tensor_by_name(f"{_TAG_PROBABILITIES}:0"),
        ]

    def predict(self, patches: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Run log-mel patches through the network, `batch_size` at a time.

        patches: (n, 187, 96) float32 log-mel (see ml.spectrogram).
        Returns the (n, 200) float32 penultimate features and (n, 50) float32 tag
        probabilities in [0, 1], in the order of the model's tags (MSD_TAGS for the backbone,
        MTT_TAGS for the MagnaTagATune tagger).
        """
        if patches.ndim != 3 or patches.shape[1:] != (PATCH_FRAMES, N_MELS):
            raise ValueError(f"expected (n, {PATCH_FRAMES}, {N_MELS}) patches, got {patches.shape}")
        features, tags = [], []
        for first in range(0, len(patches), self.batch_size):
            batch = np.asarray(patches[first : first + self.batch_size], dtype=np.float32)
            batch_features, batch_tags = self._session.run(self._outputs, {self._input: batch})
            features.append(batch_features)
            tags.append(batch_tags)
        if not features:
            return np.empty((0, EMBEDDING_DIM), np.float32), np.empty(
                (0, len(MSD_TAGS)), np.float32
            )
        return np.concatenate(features), np.concatenate(tags)


@functools.lru_cache(maxsize=4)
def load_mtt_tagger(
    *, intra_op_threads: int = 2, inter_op_threads: int = 1, batch_size: int = 8
) -> MusicnnBackbone:
    """The MagnaTagATune musicnn model: its 50 tags (ml.tags.MTT_TAGS: piano, violin, strings,
    drums, choir, slow, fast, quiet ...) and its penultimate features, half of a song's
    descriptor (ml.descriptor). The same network as the backbone, trained on another dataset,
    so the same class runs it."""
    return MusicnnBackbone(
        checkpoint_prefix=musicnn_checkpoint_prefix("MTT_musicnn"),
        intra_op_threads=intra_op_threads,
        inter_op_threads=inter_op_threads,
        batch_size=batch_size,
    )


@functools.lru_cache(maxsize=4)
def load_backbone(
    *, intra_op_threads: int = 2, inter_op_threads: int = 1, batch_size: int = 8
) -> MusicnnBackbone:
    """The MSD musicnn backbone, built once per process and argument set (a second or two).

    Thread counts go to TensorFlow's session; 2 intra-op threads, 1 inter-op thread and batches
    of 8 were the fastest settings on a 2-core worker (bench/embed.py).
    """
    return MusicnnBackbone(
        checkpoint_prefix=musicnn_checkpoint_prefix(),
        intra_op_threads=intra_op_threads,
        inter_op_threads=inter_op_threads,
        batch_size=batch_size,
    )


def fit_standardisation(embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-dimension mean and standard deviation of a catalogue's song embeddings.

    embeddings: (n_songs, 200). Returns two (200,) float32 arrays; the caller stores them with
    MODEL_VERSION and applies them to every song, new ones included. A dimension that never
    varies gets std 1, so it is centred rather than divided by zero.
    """
    mean = embeddings.mean(axis=0, dtype=np.float64)
    std = embeddings.std(axis=0, dtype=np.float64)
    std[std < 1e-8] = 1.0
    return mean.astype(np.float32), std.astype(np.float32)


def standardise(embeddings: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """z-score embeddings, (200,) or (n, 200), with `fit_standardisation`'s statistics.

    Lifts the catalogue's same-source precision@5 from 0.678 to 0.710 under cosine distance: the
    raw dimensions have very different scales and a few would otherwise dominate.
    """
    return ((embeddings - mean) / std).astype(np.float32)


def _frozen_graph_def(checkpoint_prefix: str) -> graph_pb2.GraphDef:
    """The inference subgraph of the checkpoint's training graph, with weights as constants."""
    meta_graph = meta_graph_pb2.MetaGraphDef()
    with open(checkpoint_prefix + ".meta", "rb") as meta_file:
        meta_graph.ParseFromString(meta_file.read())
    inference = tf.compat.v1.graph_util.extract_sub_graph(
        meta_graph.graph_def, [_PENULTIMATE, _TAG_PROBABILITIES]
    )
    reader = tf.compat.v1.train.NewCheckpointReader(checkpoint_prefix)
    frozen = graph_pb2.GraphDef()
    for node in inference.node:
        if node.op == "VariableV2":
            frozen.node.append(_constant(node.name, reader.get_tensor(node.name)))
        elif node.name == _TRAINING_FLAG:
            frozen.node.append(_constant(node.name, np.array(False)))
        else:
            copy = frozen.node.add()
            copy.CopyFrom(node)
            # Shapes recorded by TF 1.x; stale hints that newer importers may reject.
            if "_output_shapes" in copy.attr:
                del copy.attr["_output_shapes"]
    return frozen


def _constant(name: str, value: np.ndarray) -> tf.compat.v1.NodeDef:
    node = tf.compat.v1.NodeDef(name=name, op="Const")
    node.attr["dtype"].type = tf.as_dtype(value.dtype).as_datatype_enum
    node.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(value))
    return node

from songs.models.catalogue import Catalogue, NearDuplicate, Song, UploadBatch
from songs.models.embeddings import (
    BackboneEmbedding,
    EmbeddingModel,
    GenreHeadEmbedding,
    TagVector,
)

__all__ = [
    "BackboneEmbedding",
    "Catalogue",
    "EmbeddingModel",
    "GenreHeadEmbedding",
    "NearDuplicate",
    "Song",
    "TagVector",
    "UploadBatch",
]

from songs.models.catalogue import (
    MANAGE_CATALOGUE,
    Catalogue,
    NearDuplicate,
    Song,
    UploadBatch,
    can_manage_catalogue,
)
from songs.models.embeddings import (
    BackboneEmbedding,
    EmbeddingModel,
    GenreHeadEmbedding,
    TagVector,
)

__all__ = [
    "MANAGE_CATALOGUE",
    "BackboneEmbedding",
    "Catalogue",
    "EmbeddingModel",
    "GenreHeadEmbedding",
    "NearDuplicate",
    "Song",
    "TagVector",
    "UploadBatch",
    "can_manage_catalogue",
]

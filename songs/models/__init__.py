from songs.models.catalogue import Catalogue, Song, UploadBatch
from songs.models.embeddings import BackboneEmbedding, EmbeddingModel, GenreHeadEmbedding

__all__ = [
    "BackboneEmbedding",
    "Catalogue",
    "EmbeddingModel",
    "GenreHeadEmbedding",
    "Song",
    "UploadBatch",
]

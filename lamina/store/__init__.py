"""The store: one database (SQLite or PostgreSQL, via SQLAlchemy Core) and a blob store."""

from lamina.store.blobs import BlobStore, FileBlobStore
from lamina.store.engine import Store, open_store

__all__ = ["BlobStore", "FileBlobStore", "Store", "open_store"]

"""Blobs a fleet shares: kept in the database (PostgreSQL), so every node can read what any
node stored, with each node's own disk as a cache (execution needs files to unpack)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine

from lamina.store.blobs import BlobStore, FileBlobStore
from lamina.store.schema import blobs

_READ = sa.select(blobs.c.data).where(blobs.c.digest == sa.bindparam("digest"))
_EXISTS = sa.select(blobs.c.digest).where(blobs.c.digest == sa.bindparam("digest"))


class DatabaseBlobStore(BlobStore):
    def __init__(self, engine: Engine, cache: FileBlobStore) -> None:
        self.engine = engine
        self.cache = cache

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        # Committed before put() returns: the row that names this digest comes after it.
        insert = postgresql.insert(blobs).values(digest=digest, data=data, size=len(data))
        with self.engine.begin() as conn:
            conn.execute(insert.on_conflict_do_nothing(index_elements=["digest"]))
        self.cache.put(data)
        return digest

    def get(self, digest: str) -> bytes:
        if self.cache.exists(digest):
            return self.cache.get(digest)
        with self.engine.connect() as conn:
            data = conn.execute(_READ, {"digest": digest}).scalar_one_or_none()
        if data is None:
            raise KeyError(digest)
        self.cache.put(bytes(data))
        return bytes(data)

    def path(self, digest: str) -> Path:
        if not self.cache.exists(digest):
            self.get(digest)  # fetched once into this node's cache
        return self.cache.path(digest)

    def exists(self, digest: str) -> bool:
        if self.cache.exists(digest):
            return True
        with self.engine.connect() as conn:
            return conn.execute(_EXISTS, {"digest": digest}).first() is not None

    def wipe(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(blobs.delete())
        self.cache.wipe()

-- The HNSW index keeps half-precision copies of the embeddings
-- (halfvec, pgvector 0.7+): half the size, so a million faces' index and
-- table fit in shared buffers together, and each comparison reads half
-- the bytes. The table keeps full precision; a search orders candidates
-- by the index's expression and reranks them by the full distance
-- (faces/store.go). The expression must match the queries' exactly.
-- +goose Up
DROP INDEX faces_embedding_idx;
CREATE INDEX faces_embedding_half_idx ON faces
    USING hnsw ((embedding::halfvec(512)) halfvec_cosine_ops) WITH (m = 16, ef_construction = 64);

-- +goose Down
DROP INDEX faces_embedding_half_idx;
CREATE INDEX faces_embedding_idx ON faces USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);

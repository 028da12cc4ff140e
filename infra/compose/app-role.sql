-- docker-compose's database, on its first start (docker-entrypoint-initdb.d): the app role
-- that row-level security restricts. The web service connects as it; migrate and the worker
-- also get the owner's URL (DATABASE_OWNER_URL) for migrations, grants and index builds.
-- Local only: the password is the compose file's, as is the owner's.
CREATE ROLE rag_app LOGIN PASSWORD 'rag_app' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
GRANT CONNECT ON DATABASE ragplatform TO rag_app;

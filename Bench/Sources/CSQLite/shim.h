// SQLite (libsqlite3-dev), for the FTS5 peer comparison of metiers-bench.
#include <sqlite3.h>

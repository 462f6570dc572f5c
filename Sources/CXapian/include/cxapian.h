/*
 * cxapian.h: the pure-C boundary between metiers and Xapian 1.4.
 *
 * This is the only header of the project that stands between Swift and <xapian.h>; the
 * implementation (cxapian.cpp) is the only code that includes <xapian.h>. Every entry point
 * catches Xapian::Error, std::bad_alloc and std::exception and turns them into an
 * mx_status, so no C++ exception ever crosses into Swift.
 *
 * Conventions
 * - Handles are opaque. Each mx_X_new/open has a matching mx_X_free; freeing NULL is a no-op.
 * - Functions that can fail return mx_status and take `char **error_message` last. On failure
 *   (any status other than MX_OK) and when error_message is not NULL, *error_message is set to a
 *   newly malloc()ed, NUL-terminated UTF-8 string describing the failure; THE CALLER OWNS IT and
 *   must release it with free(). On success *error_message is left untouched.
 * - Strings going in are NUL-terminated UTF-8 unless a length is given. Strings coming out through
 *   `char **out` are malloc()ed and owned by the caller (release with free()); strings returned
 *   through a (const char *, size_t) pair borrow memory owned by the handle and stay valid until
 *   the handle is freed or the same accessor is called again on it.
 * - Handles are not thread-safe: use one database handle per thread, or serialise access.
 */
#ifndef METIERS_CXAPIAN_H
#define METIERS_CXAPIAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Outcome of a call. Values are stable. */
typedef enum mx_status {
    MX_OK = 0,
    /* The database could not be opened: missing, not a database, unreadable. */
    MX_DATABASE_OPENING_ERROR = 1,
    /* The database was modified under a reader; call mx_database_reopen() and retry once. */
    MX_DATABASE_MODIFIED = 2,
    /* The database is corrupt (or of a format this Xapian cannot read). */
    MX_DATABASE_CORRUPT = 3,
    /* Another writer holds the lock on the database. */
    MX_DATABASE_LOCKED = 4,
    /* Any other database error (I/O, version, ...). */
    MX_DATABASE_ERROR = 5,
    /* A bad argument: empty term, unknown operator, out-of-range value, NULL handle. */
    MX_INVALID_ARGUMENT = 6,
    /* A document, term or value that does not exist. */
    MX_NOT_FOUND = 7,
    /* A query Xapian rejects. */
    MX_QUERY_ERROR = 8,
    /* Memory could not be allocated. */
    MX_OUT_OF_MEMORY = 9,
    /* Any other Xapian::Error. */
    MX_XAPIAN_ERROR = 10,
    /* A C++ exception that is not a Xapian::Error. */
    MX_INTERNAL_ERROR = 11
} mx_status;

/* A short, static, English name for a status ("database modified", ...). Never NULL. */
const char *mx_status_to_string(mx_status status);

/* The Xapian library version ("1.4.22"). Static storage. */
const char *mx_xapian_version(void);

/* ----- Stemmer ---------------------------------------------------------- */

typedef struct mx_stemmer mx_stemmer;

/* A Snowball stemmer for `language` ("french", "english", "none"). */
mx_status mx_stemmer_new(const char *language, mx_stemmer **out, char **error_message);
void mx_stemmer_free(mx_stemmer *stemmer);
/* Stems `word` (`length` bytes). The result borrows memory of the stemmer: valid until the next
 * call on the same stemmer. Returns MX_OK or an error status. */
mx_status mx_stemmer_stem(mx_stemmer *stemmer, const char *word, size_t length,
                          const char **result, size_t *result_length, char **error_message);

/* ----- Documents -------------------------------------------------------- */

typedef struct mx_document mx_document;

mx_status mx_document_new(mx_document **out, char **error_message);
void mx_document_free(mx_document *document);
/* Adds `term` with a within-document frequency increment; position 0 means "no position". */
mx_status mx_document_add_term(mx_document *document, const char *term, uint32_t position,
                               uint32_t wdf_increment, char **error_message);
/* Adds a boolean term (no wdf, no position): ids, families, codes. */
mx_status mx_document_add_boolean_term(mx_document *document, const char *term,
                                       char **error_message);
mx_status mx_document_set_value(mx_document *document, uint32_t slot, const char *value,
                                size_t length, char **error_message);
mx_status mx_document_set_data(mx_document *document, const char *data, size_t length,
                               char **error_message);

/* ----- Writable database ------------------------------------------------ */

typedef struct mx_writable_database mx_writable_database;

/* Creates a new glass database at `path`, overwriting one that is there. */
mx_status mx_writable_database_create(const char *path, mx_writable_database **out,
                                      char **error_message);
/* Opens the glass database at `path` for writing; MX_DATABASE_OPENING_ERROR when there is none. */
mx_status mx_writable_database_open(const char *path, mx_writable_database **out,
                                    char **error_message);
/* Closes the database (after mx_writable_database_commit, or changes since are lost) and frees. */
void mx_writable_database_free(mx_writable_database *database);
/* Adds `document`, or replaces the document indexed by `unique_term` (idempotent re-indexing). */
mx_status mx_writable_database_replace_document(mx_writable_database *database,
                                                const char *unique_term,
                                                const mx_document *document,
                                                uint32_t *docid, char **error_message);
mx_status mx_writable_database_add_synonym(mx_writable_database *database, const char *term,
                                           const char *synonym, char **error_message);
mx_status mx_writable_database_add_spelling(mx_writable_database *database, const char *word,
                                            uint32_t frequency_increment, char **error_message);
mx_status mx_writable_database_set_metadata(mx_writable_database *database, const char *key,
                                            const char *value, size_t length,
                                            char **error_message);
/* Commits pending changes; errors are reported (the destructor would swallow them). */
mx_status mx_writable_database_commit(mx_writable_database *database, char **error_message);

/* ----- Read-only database ----------------------------------------------- */

typedef struct mx_database mx_database;

/* Opens the database at `path`: a database directory, a stub file, or a directory holding a
 * stub file named XAPIANDB. */
mx_status mx_database_open(const char *path, mx_database **out, char **error_message);
void mx_database_free(mx_database *database);
/* Brings the handle to the latest committed revision. *changed is set to 1 when it moved. */
mx_status mx_database_reopen(mx_database *database, int *changed, char **error_message);
mx_status mx_database_doc_count(mx_database *database, uint32_t *count, char **error_message);
/* Metadata value for `key` (malloc()ed, caller frees; empty string when unset). */
mx_status mx_database_get_metadata(mx_database *database, const char *key, char **value,
                                   size_t *length, char **error_message);
/* The id of the first document indexed by `term`; MX_NOT_FOUND when no document has it. */
mx_status mx_database_find_document(mx_database *database, const char *term, uint32_t *docid,
                                    char **error_message);
/* The data stored with document `docid` (malloc()ed, caller frees). */
mx_status mx_database_get_document_data(mx_database *database, uint32_t docid, char **data,
                                        size_t *length, char **error_message);
/* Number of documents indexing `term` (0 when unknown). */
mx_status mx_database_term_frequency(mx_database *database, const char *term, uint32_t *frequency,
                                     char **error_message);
/* Synonyms of `term` as one malloc()ed buffer of NUL-separated strings (caller frees);
 * *count is the number of synonyms (0, with *synonyms NULL, when none). */
mx_status mx_database_synonyms(mx_database *database, const char *term, char **synonyms,
                               size_t *length, size_t *count, char **error_message);
/* Spelling correction for one word, within `max_edit_distance` edits; malloc()ed, caller frees,
 * empty when no better word is known. */
mx_status mx_database_spelling_suggestion(mx_database *database, const char *word,
                                          uint32_t max_edit_distance, char **suggestion,
                                          char **error_message);

/* ----- Queries ---------------------------------------------------------- */

typedef struct mx_query mx_query;

/* How sub-queries combine. Values mirror Xapian::Query::op where one exists. */
typedef enum mx_query_op {
    MX_OP_AND = 0,
    MX_OP_OR = 1,
    MX_OP_AND_NOT = 2,
    MX_OP_AND_MAYBE = 4,
    MX_OP_FILTER = 5,
    MX_OP_PHRASE = 7,
    MX_OP_ELITE_SET = 10,
    MX_OP_SYNONYM = 13,
    MX_OP_MAX = 14
} mx_query_op;

/* A query for one term, with its within-query frequency and position (0: none). */
mx_status mx_query_new_term(const char *term, uint32_t wqf, uint32_t position, mx_query **out,
                            char **error_message);
/* Combines `count` sub-queries with `op` (`parameter`: window for PHRASE, set size for
 * ELITE_SET, else 0). The sub-queries are copied: the caller still owns and frees them. */
mx_status mx_query_new_combined(mx_query_op op, const mx_query *const *subqueries, size_t count,
                                uint32_t parameter, mx_query **out, char **error_message);
/* `query` with its weights multiplied by `factor` (>= 0). */
mx_status mx_query_new_scaled(const mx_query *query, double factor, mx_query **out,
                              char **error_message);
void mx_query_free(mx_query *query);
/* Xapian's description of the query (malloc()ed, caller frees). */
mx_status mx_query_describe(const mx_query *query, char **description, char **error_message);

/* ----- Search ----------------------------------------------------------- */

typedef struct mx_mset mx_mset;

/* Ranking parameters: BM25 k1, k2, k3, b, min_normlen (see Xapian::BM25Weight). */
typedef struct mx_bm25_parameters {
    double k1, k2, k3, b, min_normlen;
} mx_bm25_parameters;

/* Runs `query` on `database` and returns matches [offset, offset + limit), best first.
 * `bm25` may be NULL for Xapian's defaults. `check_at_least` makes the match-count estimate
 * exact up to that many documents. */
mx_status mx_database_search(mx_database *database, const mx_query *query, uint32_t offset,
                             uint32_t limit, uint32_t check_at_least,
                             const mx_bm25_parameters *bm25, mx_mset **out,
                             char **error_message);
/* As mx_database_search, with a time budget for the match (Xapian 1.4's
 * Enquire::set_time_limit): past `time_limit_seconds` of matching, Xapian stops looking at
 * further documents and returns the best found so far (the answer may then be incomplete, not
 * an error). 0 or less: no limit, as mx_database_search. */
mx_status mx_database_search_timed(mx_database *database, const mx_query *query,
                                   uint32_t offset, uint32_t limit, uint32_t check_at_least,
                                   const mx_bm25_parameters *bm25, double time_limit_seconds,
                                   mx_mset **out, char **error_message);
void mx_mset_free(mx_mset *mset);
/* Number of matches held (<= limit). */
uint32_t mx_mset_size(const mx_mset *mset);
/* Estimated total number of matching documents (exact up to check_at_least). */
uint32_t mx_mset_matches_estimated(const mx_mset *mset);
/* Match `index` (0-based, < size): document id, weight, and Xapian's percent. */
mx_status mx_mset_get(const mx_mset *mset, uint32_t index, uint32_t *docid, double *weight,
                      int *percent, char **error_message);
/* The document data of match `index`; borrows memory of the mset (valid until the next call to
 * this accessor or until the mset is freed). */
mx_status mx_mset_document_data(mx_mset *mset, uint32_t index, const char **data,
                                size_t *length, char **error_message);
/* The query terms that match document `index`, as one malloc()ed buffer of NUL-separated
 * strings (caller frees); *count is their number. */
mx_status mx_mset_matching_terms(const mx_mset *mset, uint32_t index, char **terms,
                                 size_t *length, size_t *count, char **error_message);

/* Every term of document `docid`, in sorted order, as one malloc()ed buffer of NUL-separated
 * strings (caller frees); *count is their number. */
mx_status mx_database_termlist(mx_database *database, uint32_t docid, char **terms, size_t *length,
                               size_t *count, char **error_message);

/* Relevance-set expansion: the `max_terms` terms that best characterise document `docid`
 * (Xapian's ESet with that document as the relevance set), keeping only terms whose prefix is
 * one of the `prefix_count` `prefixes`. One malloc()ed buffer of NUL-separated terms (caller
 * frees), best first; *count is their number. */
mx_status mx_database_expand(mx_database *database, uint32_t docid, uint32_t max_terms,
                             const char *const *prefixes, size_t prefix_count, char **terms,
                             size_t *length, size_t *count, char **error_message);

/* Test support: throws a Xapian::Error of the given kind inside the boundary and reports how
 * it was caught ("DatabaseModifiedError", "DatabaseCorruptError", "InvalidArgumentError",
 * "std::runtime_error", "int"). Lets tests prove that nothing escapes the boundary. */
mx_status mx_debug_throw(const char *kind, char **error_message);

#ifdef __cplusplus
}
#endif

#endif /* METIERS_CXAPIAN_H */

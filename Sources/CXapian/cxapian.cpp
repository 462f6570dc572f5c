// cxapian.cpp: implementation of cxapian.h over Xapian 1.4.
//
// Every extern "C" function runs its body inside MX_GUARD, which maps any exception to an
// mx_status through one rethrow helper (mx_status_from_current_exception), as notmuch does.

#include "cxapian.h"

#include <xapian.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

struct mx_stemmer {
    Xapian::Stem stem;
    std::string last;
};

struct mx_document {
    Xapian::Document doc;
};

struct mx_writable_database {
    Xapian::WritableDatabase db;
};

struct mx_database {
    Xapian::Database db;
};

struct mx_query {
    Xapian::Query query;
};

struct mx_mset {
    Xapian::Enquire enquire;
    Xapian::MSet mset;
    std::string data;
    explicit mx_mset(const Xapian::Database &db) : enquire(db) {}
};

namespace {

char *copy_string(const std::string &s) {
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (p == nullptr) throw std::bad_alloc();
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}

void set_error(char **error_message, const std::string &message) {
    if (error_message == nullptr) return;
    // Allocation failure here leaves *error_message NULL: the status still says what happened.
    char *p = static_cast<char *>(std::malloc(message.size() + 1));
    if (p == nullptr) {
        *error_message = nullptr;
        return;
    }
    std::memcpy(p, message.data(), message.size());
    p[message.size()] = '\0';
    *error_message = p;
}

// Maps the exception being handled to a status and message. Call only inside a catch block.
mx_status mx_status_from_current_exception(char **error_message) {
    try {
        throw;
    } catch (const Xapian::DatabaseModifiedError &e) {
        set_error(error_message, e.get_description());
        return MX_DATABASE_MODIFIED;
    } catch (const Xapian::DatabaseCorruptError &e) {
        set_error(error_message, e.get_description());
        return MX_DATABASE_CORRUPT;
    } catch (const Xapian::DatabaseLockError &e) {
        set_error(error_message, e.get_description());
        return MX_DATABASE_LOCKED;
    } catch (const Xapian::DatabaseOpeningError &e) {
        set_error(error_message, e.get_description());
        return MX_DATABASE_OPENING_ERROR;
    } catch (const Xapian::DatabaseError &e) {
        set_error(error_message, e.get_description());
        return MX_DATABASE_ERROR;
    } catch (const Xapian::DocNotFoundError &e) {
        set_error(error_message, e.get_description());
        return MX_NOT_FOUND;
    } catch (const Xapian::InvalidArgumentError &e) {
        set_error(error_message, e.get_description());
        return MX_INVALID_ARGUMENT;
    } catch (const Xapian::InvalidOperationError &e) {
        set_error(error_message, e.get_description());
        return MX_INVALID_ARGUMENT;
    } catch (const Xapian::QueryParserError &e) {
        set_error(error_message, e.get_description());
        return MX_QUERY_ERROR;
    } catch (const Xapian::Error &e) {
        set_error(error_message, e.get_description());
        return MX_XAPIAN_ERROR;
    } catch (const std::bad_alloc &) {
        set_error(error_message, "out of memory");
        return MX_OUT_OF_MEMORY;
    } catch (const std::exception &e) {
        set_error(error_message, std::string("C++ exception: ") + e.what());
        return MX_INTERNAL_ERROR;
    } catch (...) {
        set_error(error_message, "unknown C++ exception");
        return MX_INTERNAL_ERROR;
    }
}

mx_status invalid(char **error_message, const char *message) {
    set_error(error_message, message);
    return MX_INVALID_ARGUMENT;
}

// Copies a list of strings into one malloc()ed buffer of NUL-separated strings.
template <typename Iterator>
void copy_string_list(Iterator begin, Iterator end, char **out, size_t *length, size_t *count) {
    std::string buffer;
    size_t n = 0;
    for (Iterator it = begin; it != end; ++it) {
        buffer += *it;
        buffer.push_back('\0');
        ++n;
    }
    *count = n;
    *length = buffer.size();
    // copy_string appends one more NUL after the last string's own: harmless for readers.
    *out = n == 0 ? nullptr : copy_string(buffer);
}

}  // namespace

#define MX_GUARD(...)                                                   \
    try {                                                               \
        __VA_ARGS__                                                     \
    } catch (...) {                                                     \
        return mx_status_from_current_exception(error_message);         \
    }

extern "C" {

const char *mx_status_to_string(mx_status status) {
    switch (status) {
        case MX_OK: return "ok";
        case MX_DATABASE_OPENING_ERROR: return "database cannot be opened";
        case MX_DATABASE_MODIFIED: return "database modified";
        case MX_DATABASE_CORRUPT: return "database corrupt";
        case MX_DATABASE_LOCKED: return "database locked";
        case MX_DATABASE_ERROR: return "database error";
        case MX_INVALID_ARGUMENT: return "invalid argument";
        case MX_NOT_FOUND: return "not found";
        case MX_QUERY_ERROR: return "query error";
        case MX_OUT_OF_MEMORY: return "out of memory";
        case MX_XAPIAN_ERROR: return "xapian error";
        case MX_INTERNAL_ERROR: return "internal error";
    }
    return "unknown status";
}

const char *mx_xapian_version(void) { return Xapian::version_string(); }

// ----- Stemmer

mx_status mx_stemmer_new(const char *language, mx_stemmer **out, char **error_message) {
    if (language == nullptr || out == nullptr) return invalid(error_message, "NULL argument");
    MX_GUARD({
        *out = new mx_stemmer{Xapian::Stem(language), std::string()};
        return MX_OK;
    })
}

void mx_stemmer_free(mx_stemmer *stemmer) { delete stemmer; }

mx_status mx_stemmer_stem(mx_stemmer *stemmer, const char *word, size_t length,
                          const char **result, size_t *result_length, char **error_message) {
    if (stemmer == nullptr || word == nullptr || result == nullptr || result_length == nullptr)
        return invalid(error_message, "NULL argument");
    MX_GUARD({
        stemmer->last = stemmer->stem(std::string(word, length));
        *result = stemmer->last.data();
        *result_length = stemmer->last.size();
        return MX_OK;
    })
}

// ----- Documents

mx_status mx_document_new(mx_document **out, char **error_message) {
    if (out == nullptr) return invalid(error_message, "NULL argument");
    MX_GUARD({
        *out = new mx_document();
        return MX_OK;
    })
}

void mx_document_free(mx_document *document) { delete document; }

mx_status mx_document_add_term(mx_document *document, const char *term, uint32_t position,
                               uint32_t wdf_increment, char **error_message) {
    if (document == nullptr || term == nullptr) return invalid(error_message, "NULL argument");
    if (*term == '\0') return invalid(error_message, "empty term");
    MX_GUARD({
        if (position == 0)
            document->doc.add_term(term, wdf_increment);
        else
            document->doc.add_posting(term, position, wdf_increment);
        return MX_OK;
    })
}

mx_status mx_document_add_boolean_term(mx_document *document, const char *term,
                                       char **error_message) {
    if (document == nullptr || term == nullptr) return invalid(error_message, "NULL argument");
    if (*term == '\0') return invalid(error_message, "empty term");
    MX_GUARD({
        document->doc.add_boolean_term(term);
        return MX_OK;
    })
}

mx_status mx_document_set_value(mx_document *document, uint32_t slot, const char *value,
                                size_t length, char **error_message) {
    if (document == nullptr || (value == nullptr && length != 0))
        return invalid(error_message, "NULL argument");
    MX_GUARD({
        document->doc.add_value(slot, std::string(value == nullptr ? "" : value, length));
        return MX_OK;
    })
}

mx_status mx_document_set_data(mx_document *document, const char *data, size_t length,
                               char **error_message) {
    if (document == nullptr || (data == nullptr && length != 0))
        return invalid(error_message, "NULL argument");
    MX_GUARD({
        document->doc.set_data(std::string(data == nullptr ? "" : data, length));
        return MX_OK;
    })
}

// ----- Writable database

mx_status mx_writable_database_create(const char *path, mx_writable_database **out,
                                      char **error_message) {
    if (path == nullptr || out == nullptr) return invalid(error_message, "NULL argument");
    MX_GUARD({
        *out = new mx_writable_database{
            Xapian::WritableDatabase(path, Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS)};
        return MX_OK;
    })
}

mx_status mx_writable_database_open(const char *path, mx_writable_database **out,
                                    char **error_message) {
    if (path == nullptr || out == nullptr) return invalid(error_message, "NULL argument");
    MX_GUARD({
        *out = new mx_writable_database{Xapian::WritableDatabase(path, Xapian::DB_OPEN | Xapian::DB_BACKEND_GLASS)};
        return MX_OK;
    })
}

void mx_writable_database_free(mx_writable_database *database) {
    if (database == nullptr) return;
    try {
        // Uncommitted changes are discarded rather than committed implicitly.
        database->db.close();
    } catch (...) {
    }
    delete database;
}

mx_status mx_writable_database_replace_document(mx_writable_database *database,
                                                const char *unique_term,
                                                const mx_document *document,
                                                uint32_t *docid, char **error_message) {
    if (database == nullptr || unique_term == nullptr || document == nullptr)
        return invalid(error_message, "NULL argument");
    if (*unique_term == '\0') return invalid(error_message, "empty unique term");
    MX_GUARD({
        Xapian::docid id = database->db.replace_document(unique_term, document->doc);
        if (docid != nullptr) *docid = id;
        return MX_OK;
    })
}

mx_status mx_writable_database_add_synonym(mx_writable_database *database, const char *term,
                                           const char *synonym, char **error_message) {
    if (database == nullptr || term == nullptr || synonym == nullptr)
        return invalid(error_message, "NULL argument");
    if (*term == '\0' || *synonym == '\0') return invalid(error_message, "empty synonym");
    MX_GUARD({
        database->db.add_synonym(term, synonym);
        return MX_OK;
    })
}

mx_status mx_writable_database_add_spelling(mx_writable_database *database, const char *word,
                                            uint32_t frequency_increment, char **error_message) {
    if (database == nullptr || word == nullptr) return invalid(error_message, "NULL argument");
    if (*word == '\0') return invalid(error_message, "empty word");
    MX_GUARD({
        database->db.add_spelling(word, frequency_increment);
        return MX_OK;
    })
}

mx_status mx_writable_database_set_metadata(mx_writable_database *database, const char *key,
                                            const char *value, size_t length,
                                            char **error_message) {
    if (database == nullptr || key == nullptr || (value == nullptr && length != 0))
        return invalid(error_message, "NULL argument");
    MX_GUARD({
        database->db.set_metadata(key, std::string(value == nullptr ? "" : value, length));
        return MX_OK;
    })
}

mx_status mx_writable_database_commit(mx_writable_database *database, char **error_message) {
    if (database == nullptr) return invalid(error_message, "NULL argument");
    MX_GUARD({
        database->db.commit();
        return MX_OK;
    })
}

// ----- Read-only database

mx_status mx_database_open(const char *path, mx_database **out, char **error_message) {
    if (path == nullptr || out == nullptr) return invalid(error_message, "NULL argument");
    MX_GUARD({
        *out = new mx_database{Xapian::Database(path)};
        return MX_OK;
    })
}

void mx_database_free(mx_database *database) { delete database; }

mx_status mx_database_reopen(mx_database *database, int *changed, char **error_message) {
    if (database == nullptr) return invalid(error_message, "NULL argument");
    MX_GUARD({
        bool moved = database->db.reopen();
        if (changed != nullptr) *changed = moved ? 1 : 0;
        return MX_OK;
    })
}

mx_status mx_database_doc_count(mx_database *database, uint32_t *count, char **error_message) {
    if (database == nullptr || count == nullptr) return invalid(error_message, "NULL argument");
    MX_GUARD({
        *count = database->db.get_doccount();
        return MX_OK;
    })
}

mx_status mx_database_get_metadata(mx_database *database, const char *key, char **value,
                                   size_t *length, char **error_message) {
    if (database == nullptr || key == nullptr || value == nullptr || length == nullptr)
        return invalid(error_message, "NULL argument");
    MX_GUARD({
        std::string v = database->db.get_metadata(key);
        *value = copy_string(v);
        *length = v.size();
        return MX_OK;
    })
}

mx_status mx_database_find_document(mx_database *database, const char *term, uint32_t *docid,
                                    char **error_message) {
    if (database == nullptr || term == nullptr || docid == nullptr)
        return invalid(error_message, "NULL argument");
    MX_GUARD({
        Xapian::PostingIterator it = database->db.postlist_begin(term);
        if (it == database->db.postlist_end(term)) {
            set_error(error_message, std::string("no document indexed by term '") + term + "'");
            return MX_NOT_FOUND;
        }
        *docid = *it;
        return MX_OK;
    })
}

mx_status mx_database_get_document_data(mx_database *database, uint32_t docid, char **data,
                                        size_t *length, char **error_message) {
    if (database == nullptr || data == nullptr || length == nullptr)
        return invalid(error_message, "NULL argument");
    MX_GUARD({
        std::string d = database->db.get_document(docid).get_data();
        *data = copy_string(d);
        *length = d.size();
        return MX_OK;
    })
}

mx_status mx_database_term_frequency(mx_database *database, const char *term, uint32_t *frequency,
                                     char **error_message) {
    if (database == nullptr || term == nullptr || frequency == nullptr)
        return invalid(error_message, "NULL argument");
    MX_GUARD({
        *frequency = database->db.get_termfreq(term);
        return MX_OK;
    })
}

mx_status mx_database_synonyms(mx_database *database, const char *term, char **synonyms,
                               size_t *length, size_t *count, char **error_message) {
    if (database == nullptr || term == nullptr || synonyms == nullptr || length == nullptr ||
        count == nullptr)
        return invalid(error_message, "NULL argument");
    MX_GUARD({
        copy_string_list(database->db.synonyms_begin(term), database->db.synonyms_end(term),
                         synonyms, length, count);
        return MX_OK;
    })
}

mx_status mx_database_spelling_suggestion(mx_database *database, const char *word,
                                          uint32_t max_edit_distance, char **suggestion,
                                          char **error_message) {
    if (database == nullptr || word == nullptr || suggestion == nullptr)
        return invalid(error_message, "NULL argument");
    MX_GUARD({
        *suggestion = copy_string(database->db.get_spelling_suggestion(word, max_edit_distance));
        return MX_OK;
    })
}

// ----- Queries

mx_status mx_query_new_term(const char *term, uint32_t wqf, uint32_t position, mx_query **out,
                            char **error_message) {
    if (term == nullptr || out == nullptr) return invalid(error_message, "NULL argument");
    MX_GUARD({
        *out = new mx_query{Xapian::Query(term, wqf == 0 ? 1 : wqf, position)};
        return MX_OK;
    })
}

mx_status mx_query_new_combined(mx_query_op op, const mx_query *const *subqueries, size_t count,
                                uint32_t parameter, mx_query **out, char **error_message) {
    if (out == nullptr || (subqueries == nullptr && count != 0))
        return invalid(error_message, "NULL argument");
    Xapian::Query::op xop;
    switch (op) {
        case MX_OP_AND: xop = Xapian::Query::OP_AND; break;
        case MX_OP_OR: xop = Xapian::Query::OP_OR; break;
        case MX_OP_AND_NOT: xop = Xapian::Query::OP_AND_NOT; break;
        case MX_OP_AND_MAYBE: xop = Xapian::Query::OP_AND_MAYBE; break;
        case MX_OP_FILTER: xop = Xapian::Query::OP_FILTER; break;
        case MX_OP_PHRASE: xop = Xapian::Query::OP_PHRASE; break;
        case MX_OP_ELITE_SET: xop = Xapian::Query::OP_ELITE_SET; break;
        case MX_OP_SYNONYM: xop = Xapian::Query::OP_SYNONYM; break;
        case MX_OP_MAX: xop = Xapian::Query::OP_MAX; break;
        default: return invalid(error_message, "unknown query operator");
    }
    MX_GUARD({
        std::vector<Xapian::Query> subs;
        subs.reserve(count);
        for (size_t i = 0; i < count; ++i) {
            if (subqueries[i] == nullptr) return invalid(error_message, "NULL sub-query");
            subs.push_back(subqueries[i]->query);
        }
        *out = new mx_query{Xapian::Query(xop, subs.begin(), subs.end(), parameter)};
        return MX_OK;
    })
}

mx_status mx_query_new_scaled(const mx_query *query, double factor, mx_query **out,
                              char **error_message) {
    if (query == nullptr || out == nullptr) return invalid(error_message, "NULL argument");
    MX_GUARD({
        *out = new mx_query{Xapian::Query(factor, query->query)};
        return MX_OK;
    })
}

void mx_query_free(mx_query *query) { delete query; }

mx_status mx_query_describe(const mx_query *query, char **description, char **error_message) {
    if (query == nullptr || description == nullptr) return invalid(error_message, "NULL argument");
    MX_GUARD({
        *description = copy_string(query->query.get_description());
        return MX_OK;
    })
}

// ----- Search

mx_status mx_database_search(mx_database *database, const mx_query *query, uint32_t offset,
                             uint32_t limit, uint32_t check_at_least,
                             const mx_bm25_parameters *bm25, mx_mset **out,
                             char **error_message) {
    return mx_database_search_timed(database, query, offset, limit, check_at_least, bm25, 0.0,
                                    out, error_message);
}

mx_status mx_database_search_timed(mx_database *database, const mx_query *query,
                                   uint32_t offset, uint32_t limit, uint32_t check_at_least,
                                   const mx_bm25_parameters *bm25, double time_limit_seconds,
                                   mx_mset **out, char **error_message) {
    if (database == nullptr || query == nullptr || out == nullptr)
        return invalid(error_message, "NULL argument");
    MX_GUARD({
        mx_mset *result = new mx_mset(database->db);
        try {
            result->enquire.set_query(query->query);
            if (bm25 != nullptr) {
                result->enquire.set_weighting_scheme(
                    Xapian::BM25Weight(bm25->k1, bm25->k2, bm25->k3, bm25->b, bm25->min_normlen));
            }
            // NaN and non-positive budgets mean no limit (Xapian's 0.0).
            if (time_limit_seconds > 0.0) result->enquire.set_time_limit(time_limit_seconds);
            result->mset = result->enquire.get_mset(offset, limit, check_at_least);
        } catch (...) {
            delete result;
            throw;
        }
        *out = result;
        return MX_OK;
    })
}

void mx_mset_free(mx_mset *mset) { delete mset; }

uint32_t mx_mset_size(const mx_mset *mset) { return mset == nullptr ? 0 : mset->mset.size(); }

uint32_t mx_mset_matches_estimated(const mx_mset *mset) {
    return mset == nullptr ? 0 : mset->mset.get_matches_estimated();
}

mx_status mx_mset_get(const mx_mset *mset, uint32_t index, uint32_t *docid, double *weight,
                      int *percent, char **error_message) {
    if (mset == nullptr) return invalid(error_message, "NULL argument");
    if (index >= mset->mset.size()) return invalid(error_message, "match index out of range");
    MX_GUARD({
        Xapian::MSetIterator it = mset->mset[index];
        if (docid != nullptr) *docid = *it;
        if (weight != nullptr) *weight = it.get_weight();
        if (percent != nullptr) *percent = it.get_percent();
        return MX_OK;
    })
}

mx_status mx_mset_document_data(mx_mset *mset, uint32_t index, const char **data,
                                size_t *length, char **error_message) {
    if (mset == nullptr || data == nullptr || length == nullptr)
        return invalid(error_message, "NULL argument");
    if (index >= mset->mset.size()) return invalid(error_message, "match index out of range");
    MX_GUARD({
        mset->data = mset->mset[index].get_document().get_data();
        *data = mset->data.data();
        *length = mset->data.size();
        return MX_OK;
    })
}

mx_status mx_mset_matching_terms(const mx_mset *mset, uint32_t index, char **terms,
                                 size_t *length, size_t *count, char **error_message) {
    if (mset == nullptr || terms == nullptr || length == nullptr || count == nullptr)
        return invalid(error_message, "NULL argument");
    if (index >= mset->mset.size()) return invalid(error_message, "match index out of range");
    MX_GUARD({
        Xapian::MSetIterator it = mset->mset[index];
        copy_string_list(mset->enquire.get_matching_terms_begin(it),
                         mset->enquire.get_matching_terms_end(it), terms, length, count);
        return MX_OK;
    })
}

namespace {
// Accepts terms that start with one of the given prefixes (and are not the next prefix's).
class PrefixDecider : public Xapian::ExpandDecider {
  public:
    explicit PrefixDecider(std::vector<std::string> prefixes) : prefixes_(std::move(prefixes)) {}
    bool operator()(const std::string &term) const override {
        for (const std::string &p : prefixes_) {
            if (term.size() > p.size() && term.compare(0, p.size(), p) == 0 &&
                !(term[p.size()] >= 'A' && term[p.size()] <= 'Z'))
                return true;
        }
        return false;
    }

  private:
    std::vector<std::string> prefixes_;
};
}  // namespace

mx_status mx_database_termlist(mx_database *database, uint32_t docid, char **terms, size_t *length,
                               size_t *count, char **error_message) {
    if (database == nullptr || terms == nullptr || length == nullptr || count == nullptr)
        return invalid(error_message, "NULL argument");
    MX_GUARD({
        copy_string_list(database->db.termlist_begin(docid), database->db.termlist_end(docid), terms,
                         length, count);
        return MX_OK;
    })
}

mx_status mx_database_expand(mx_database *database, uint32_t docid, uint32_t max_terms,
                             const char *const *prefixes, size_t prefix_count, char **terms,
                             size_t *length, size_t *count, char **error_message) {
    if (database == nullptr || terms == nullptr || length == nullptr || count == nullptr ||
        (prefixes == nullptr && prefix_count != 0))
        return invalid(error_message, "NULL argument");
    MX_GUARD({
        std::vector<std::string> wanted;
        for (size_t i = 0; i < prefix_count; ++i) {
            if (prefixes[i] == nullptr) return invalid(error_message, "NULL prefix");
            wanted.emplace_back(prefixes[i]);
        }
        Xapian::Enquire enquire(database->db);
        Xapian::RSet rset;
        rset.add_document(docid);
        PrefixDecider decider(wanted);
        Xapian::ESet eset = enquire.get_eset(max_terms, rset, &decider);
        std::vector<std::string> found;
        for (Xapian::ESetIterator it = eset.begin(); it != eset.end(); ++it) found.push_back(*it);
        copy_string_list(found.begin(), found.end(), terms, length, count);
        return MX_OK;
    })
}

mx_status mx_debug_throw(const char *kind, char **error_message) {
    if (kind == nullptr) return invalid(error_message, "NULL argument");
    MX_GUARD({
        std::string k(kind);
        if (k == "DatabaseModifiedError") throw Xapian::DatabaseModifiedError("test: modified");
        if (k == "DatabaseCorruptError") throw Xapian::DatabaseCorruptError("test: corrupt");
        if (k == "InvalidArgumentError") throw Xapian::InvalidArgumentError("test: invalid");
        if (k == "std::runtime_error") throw std::runtime_error("test: runtime");
        if (k == "int") throw 42;
        return MX_OK;
    })
}

}  // extern "C"

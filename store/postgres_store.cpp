#include "store/postgres_store.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <cstdio>
#include <memory>
#include <string_view>
#include <utility>

namespace parity::store {
namespace {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

std::string trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.empty() ? std::string("unknown error") : s;
}

bool ok(const Result& r) {
  if (!r) return false;
  auto status = PQresultStatus(r.get());
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_SINGLE_TUPLE;
}

std::string result_error(const Result& r, pg_conn* conn) {
  if (r) {
    const char* m = PQresultErrorMessage(r.get());
    if (m && *m) return trimmed(m);
  }
  return trimmed(PQerrorMessage(conn));
}

// One statement: its result, or null with `error` set (prefixed with `context` when given).
Result run(pg_conn* conn, const char* sql, std::string& error, const char* context = "") {
  Result r(PQexec(conn, sql));
  if (ok(r)) return r;
  error = context + result_error(r, conn);
  return Result();
}

void rollback(pg_conn* conn) { Result(PQexec(conn, "ROLLBACK")); }

// The digest of a row that record_key holds: every column of the record, the timestamp to the
// microsecond in UTC, NULL told apart from '' (concat_ws skips NULLs, so they become \x1e). Computed by
// the server from the stored values, so a record read back from a JSONL file again gets the same key.
// (A macro: it is pasted into migration 2 and into the insert at compile time.)
#define PARITY_RECORD_KEY                                                                                     \
  "md5(concat_ws(E'\\x1f', to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), instance, "     \
  "request_id, method, route, target, served_by, verdict, legacy_status, legacy_latency_ms, legacy_bytes, "  \
  "coalesce(legacy_error, E'\\x1e'), candidate_status, candidate_latency_ms, candidate_bytes, "            \
  "coalesce(candidate_error, E'\\x1e'), differences::text, coalesce(sample::text, E'\\x1e')))"

// Migrations by target version; each runs once, in order, inside the migration transaction.
constexpr const char* kMigrations[] = {
    // 1: the records table and the indexes of the report's queries (window, instance, route).
    R"sql(
CREATE TABLE parity_records (
  id bigserial PRIMARY KEY,
  ts timestamptz NOT NULL,
  instance text NOT NULL DEFAULT '',
  request_id text NOT NULL DEFAULT '',
  method text NOT NULL DEFAULT '',
  route text NOT NULL DEFAULT '',
  target text NOT NULL DEFAULT '',
  served_by text NOT NULL DEFAULT '',
  verdict text NOT NULL,
  legacy_status integer NOT NULL DEFAULT 0,
  legacy_latency_ms double precision NOT NULL DEFAULT 0,
  legacy_bytes bigint NOT NULL DEFAULT 0,
  legacy_error text,
  candidate_status integer NOT NULL DEFAULT 0,
  candidate_latency_ms double precision NOT NULL DEFAULT 0,
  candidate_bytes bigint NOT NULL DEFAULT 0,
  candidate_error text,
  differences json NOT NULL DEFAULT '[]',
  sample json
);
CREATE INDEX parity_records_ts ON parity_records (ts);
CREATE INDEX parity_records_instance_ts ON parity_records (instance, ts);
CREATE INDEX parity_records_route ON parity_records (route, method);
)sql",
    // 2: record_key, a digest of the whole row, unique: storing the same record twice (an import run
    // again, a batch retried after its COMMIT raced a dead connection) keeps one row. Rows of version 1
    // get their key, and exact duplicates among them are removed (the oldest row stays).
    R"sql(
ALTER TABLE parity_records ADD COLUMN record_key text;
UPDATE parity_records SET record_key = )sql" PARITY_RECORD_KEY R"sql(;
DELETE FROM parity_records a USING parity_records b WHERE a.record_key = b.record_key AND a.id > b.id;
ALTER TABLE parity_records ALTER COLUMN record_key SET NOT NULL;
CREATE UNIQUE INDEX parity_records_key ON parity_records (record_key);
)sql",
};
static_assert(std::size(kMigrations) == kPostgresSchemaVersion);

// A constant of our own for pg_advisory_xact_lock: "parity" in ASCII.
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(112971114105116121)";

#define PARITY_RECORD_COLUMNS                                                                              \
  "ts, instance, request_id, method, route, target, served_by, verdict, legacy_status, legacy_latency_ms, " \
  "legacy_bytes, legacy_error, candidate_status, candidate_latency_ms, candidate_bytes, candidate_error, "  \
  "differences, sample"

// A batch is copied into a temporary table of this session (emptied at each commit), then moved into
// parity_records with its key, skipping the rows already there.
constexpr const char* kCreateIncoming =
    "CREATE TEMP TABLE IF NOT EXISTS parity_incoming ON COMMIT DELETE ROWS AS SELECT " PARITY_RECORD_COLUMNS
    " FROM parity_records WITH NO DATA";
constexpr const char* kCopy = "COPY parity_incoming (" PARITY_RECORD_COLUMNS ") FROM STDIN";
constexpr const char* kMoveIncoming = "INSERT INTO parity_records (" PARITY_RECORD_COLUMNS ", record_key) SELECT "
    PARITY_RECORD_COLUMNS ", " PARITY_RECORD_KEY " FROM parity_incoming ON CONFLICT (record_key) DO NOTHING";
#undef PARITY_RECORD_COLUMNS
#undef PARITY_RECORD_KEY

// Text as PostgreSQL text accepts it: valid UTF-8 (invalid bytes become U+FFFD, as in a JSONL line) and no
// NUL, which no text column can hold.
std::string clean_text(const std::string& s) {
  bool plain = true;
  for (unsigned char c : s) plain = plain && c != 0 && c < 0x80;
  if (plain) return s;
  auto round_trip = nlohmann::json::parse(nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  std::string out = round_trip.get<std::string>();
  out.erase(std::remove(out.begin(), out.end(), '\0'), out.end());
  return out;
}

// One field of COPY's text format: backslash escapes for the column and row delimiters.
void copy_field(std::string& out, const std::string& value) {
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
}

void copy_text(std::string& out, const std::string& value) {
  copy_field(out, clean_text(value));
  out += '\t';
}

void copy_number(std::string& out, double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", value);  // 17 significant digits: the same double back
  out += buf;
  out += '\t';
}

void copy_side(std::string& out, const SideSummary& side) {
  out += std::to_string(side.status) + '\t';
  copy_number(out, side.latency_ms);
  out += std::to_string(side.bytes) + '\t';
  if (side.error.empty()) {
    out += "\\N\t";
  } else {
    copy_text(out, side.error);
  }
}

// A JSON value as the text of a json column, as store/record.cpp writes it to a JSONL line.
std::string json_text(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void copy_row(std::string& out, const Record& r) {
  copy_text(out, r.ts);
  copy_text(out, r.instance);
  copy_text(out, r.request_id);
  copy_text(out, r.method);
  copy_text(out, r.route);
  copy_text(out, r.target);
  copy_text(out, r.served_by);
  copy_text(out, std::string(compare::to_string(r.verdict)));
  copy_side(out, r.legacy);
  copy_side(out, r.candidate);
  nlohmann::json diffs = nlohmann::json::array();
  for (const auto& d : r.differences) diffs.push_back(compare::to_json(d));
  copy_field(out, json_text(diffs));  // json (not jsonb) keeps \u0000 escapes as text
  out += '\t';
  if (r.sample && !r.sample->is_null()) {  // "sample": null in a JSONL line is no sample, as when absent
    copy_field(out, json_text(*r.sample));
    out += '\n';
  } else {
    out += "\\N\n";
  }
}

// The row as the JSON object of a JSONL line (store/record.cpp's to_json), timestamps in its format.
constexpr const char* kSelectRecord = R"sql(
SELECT json_build_object(
  'ts', to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'instance', instance, 'request_id', request_id, 'method', method, 'route', route, 'target', target,
  'served_by', served_by, 'verdict', verdict,
  'legacy', json_build_object('status', legacy_status, 'latency_ms', legacy_latency_ms, 'bytes', legacy_bytes,
                              'error', legacy_error),
  'candidate', json_build_object('status', candidate_status, 'latency_ms', candidate_latency_ms,
                                 'bytes', candidate_bytes, 'error', candidate_error),
  'differences', differences, 'sample', sample)::text
FROM parity_records
)sql";

// WHERE clause and its parameters for a filter.
struct Where {
  std::string sql;
  std::vector<std::string> values;
};

Where where_clause(const RecordFilter& filter) {
  Where w;
  // `condition` holds one "$" where its parameter's number goes.
  auto add = [&](const std::string& condition, std::string value) {
    w.values.push_back(std::move(value));
    std::string c = condition;
    c.replace(c.find('$'), 1, "$" + std::to_string(w.values.size()));
    w.sql += (w.sql.empty() ? " WHERE " : " AND ") + c;
  };
  if (!filter.since.empty()) add("ts >= $::timestamptz", filter.since);
  if (!filter.until.empty()) add("ts < $::timestamptz", filter.until);
  if (!filter.instances.empty()) {
    add("instance IN (SELECT json_array_elements_text($::json))", nlohmann::json(filter.instances).dump());
  }
  return w;
}

std::vector<const char*> pointers(const std::vector<std::string>& values) {
  std::vector<const char*> out;
  out.reserve(values.size());
  for (const auto& v : values) out.push_back(v.c_str());
  return out;
}

}  // namespace

bool is_postgres_url(const std::string& text) {
  return text.rfind("postgres://", 0) == 0 || text.rfind("postgresql://", 0) == 0;
}

std::string redact_postgres_url(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto at = url.find('@', scheme + 3);
  if (at == std::string::npos) return url;
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "****" + url.substr(at);
}

PostgresStore::PostgresStore(std::string url, int statement_timeout_ms)
    : url_(std::move(url)), statement_timeout_ms_(statement_timeout_ms) {}

PostgresStore::~PostgresStore() { disconnect(); }

void PostgresStore::disconnect() {
  if (conn_) PQfinish(conn_);
  conn_ = nullptr;
}

bool PostgresStore::connected() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }

bool PostgresStore::connect(std::string& error) {
  if (connected()) return true;
  disconnect();
  // Defaults first: keywords are applied in order, so the URL (expanded from dbname) overrides them.
  // Keepalives and tcp_user_timeout notice a vanished server (network partition) in ~20 s, not hours.
  const char* keys[] = {"connect_timeout", "application_name", "client_encoding", "keepalives_idle",
                        "keepalives_interval", "keepalives_count", "tcp_user_timeout", "dbname", nullptr};
  const char* values[] = {"5", "parity", "UTF8", "10", "5", "2", "20000", url_.c_str(), nullptr};
  conn_ = PQconnectdbParams(keys, values, 1);
  if (!conn_) {
    error = "out of memory connecting to PostgreSQL";
    return false;
  }
  // Server notices ("relation already exists, skipping") would go to stderr: they are not for users.
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
  if (PQstatus(conn_) != CONNECTION_OK) {
    error = "cannot connect to " + redact_postgres_url(url_) + ": " + trimmed(PQerrorMessage(conn_));
    disconnect();
    return false;
  }
  if (statement_timeout_ms_ > 0) {
    const std::string set = "SET statement_timeout = " + std::to_string(statement_timeout_ms_);
    Result r(PQexec(conn_, set.c_str()));
    if (!ok(r)) {
      error = "cannot set statement_timeout: " + result_error(r, conn_);
      disconnect();
      return false;
    }
  }
  if (!migrate(error)) {
    disconnect();
    return false;
  }
  return true;
}

bool PostgresStore::migrate(std::string& error) {
  auto exec = [&](const char* sql) { return run(conn_, sql, error, "schema migration failed: "); };
  auto rollback = [&] { store::rollback(conn_); };
  if (!exec("BEGIN") || !exec(kMigrationLock) ||
      !exec("CREATE TABLE IF NOT EXISTS parity_schema_version (version integer PRIMARY KEY, "
            "applied_at timestamptz NOT NULL DEFAULT now())")) {
    rollback();
    return false;
  }
  Result current = exec("SELECT coalesce(max(version), 0) FROM parity_schema_version");
  if (!current) {
    rollback();
    return false;
  }
  const int version = std::stoi(PQgetvalue(current.get(), 0, 0));
  if (version > kPostgresSchemaVersion) {
    rollback();
    error = "the database's schema version " + std::to_string(version) + " is newer than this parity's (" +
            std::to_string(kPostgresSchemaVersion) + "): upgrade parity";
    return false;
  }
  for (int v = version + 1; v <= kPostgresSchemaVersion; ++v) {
    const std::string mark = "INSERT INTO parity_schema_version (version) VALUES (" + std::to_string(v) + ")";
    if (!exec(kMigrations[v - 1]) || !exec(mark.c_str())) {
      rollback();
      return false;
    }
  }
  if (!exec("COMMIT")) {
    rollback();
    return false;
  }
  return true;
}

bool PostgresStore::insert(const std::vector<Record>& batch, std::string& error, std::uint64_t* added) {
  if (added) *added = 0;
  if (batch.empty()) return true;
  if (!connected()) {
    error = "not connected";
    return false;
  }
  auto exec = [&](const char* sql) { return run(conn_, sql, error); };
  // One transaction: the whole batch is stored, or none of it.
  if (!exec("BEGIN")) return false;
  auto fail = [&] {
    rollback(conn_);
    return false;
  };
  if (!exec(kCreateIncoming)) return fail();
  std::string rows;
  for (const auto& record : batch) copy_row(rows, record);
  Result start(PQexec(conn_, kCopy));
  if (!start || PQresultStatus(start.get()) != PGRES_COPY_IN) {
    error = result_error(start, conn_);
    return fail();
  }
  const bool sent = PQputCopyData(conn_, rows.data(), static_cast<int>(rows.size())) == 1;
  if (!sent) error = trimmed(PQerrorMessage(conn_));
  if (PQputCopyEnd(conn_, sent ? nullptr : "parity: sending the batch failed") != 1 && sent) {
    error = trimmed(PQerrorMessage(conn_));
  }
  bool copied = sent;
  while (Result r{PQgetResult(conn_)}) {
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      if (copied) error = result_error(r, conn_);
      copied = false;
    }
  }
  if (!copied) return fail();
  Result moved = exec(kMoveIncoming);
  if (!moved) return fail();
  const std::uint64_t n = std::strtoull(PQcmdTuples(moved.get()), nullptr, 10);
  if (!exec("COMMIT")) return fail();
  if (added) *added = n;
  return true;
}

bool PostgresStore::for_each(const RecordFilter& filter, const std::function<void(Record&&)>& on_record,
                             std::uint64_t& malformed, std::string& error) {
  if (!connected()) {
    error = "not connected";
    return false;
  }
  const Where where = where_clause(filter);
  const std::string sql = std::string(kSelectRecord) + where.sql + " ORDER BY ts, instance, request_id, id";
  const auto params = pointers(where.values);
  if (!PQsendQueryParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, params.data(), nullptr,
                         nullptr, 0)) {
    error = trimmed(PQerrorMessage(conn_));
    return false;
  }
  // Single-row mode: rows arrive one at a time instead of the whole result in memory.
  PQsetSingleRowMode(conn_);
  bool failed = false;
  while (Result r{PQgetResult(conn_)}) {
    const auto status = PQresultStatus(r.get());
    if (status == PGRES_SINGLE_TUPLE) {
      if (failed) continue;
      auto json = nlohmann::json::parse(std::string_view(PQgetvalue(r.get(), 0, 0)), nullptr, false);
      auto record = json.is_discarded() ? std::nullopt : record_from_json(json);
      if (!record) {
        ++malformed;
        continue;
      }
      if (record->sample && record->sample->is_null()) record->sample.reset();
      on_record(std::move(*record));
    } else if (status != PGRES_TUPLES_OK && !failed) {
      failed = true;
      error = result_error(r, conn_);
    }
  }
  return !failed;
}

bool PostgresStore::count(const RecordFilter& filter, std::uint64_t& rows, std::string& error) {
  if (!connected()) {
    error = "not connected";
    return false;
  }
  const Where where = where_clause(filter);
  const std::string sql = "SELECT count(*) FROM parity_records" + where.sql;
  const auto params = pointers(where.values);
  Result r(PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, params.data(), nullptr, nullptr,
                        0));
  if (!ok(r)) {
    error = result_error(r, conn_);
    return false;
  }
  rows = std::stoull(PQgetvalue(r.get(), 0, 0));
  return true;
}

}  // namespace parity::store

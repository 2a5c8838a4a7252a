#pragma once
// One libpq connection to the shared PostgreSQL store: connect (and create or migrate the schema),
// insert a batch of records in one statement, and stream records back for the report. Not thread-safe:
// the sink's writer thread owns one, `parity report` and `parity store import` own another.
//
// Schema (version table `parity_schema_version`, migrations applied under an advisory lock so several
// gateways starting at once do not race): `parity_records` has one row per record, with the sides'
// status/latency/bytes/error as columns, `differences` and `sample` as json (json, not jsonb: it keeps
// the text exactly and accepts \u0000), `record_key` (a digest of the row, unique: a record is stored once
// however often it is inserted), and indexes on ts, (instance, ts) and (route, method).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "store/record.h"
#include "store/record_filter.h"

struct pg_conn;

namespace parity::store {

inline constexpr int kPostgresSchemaVersion = 2;

// True for postgres:// and postgresql:// URLs.
bool is_postgres_url(const std::string& text);
// The URL without its password (user:****@host), for logs and messages.
std::string redact_postgres_url(const std::string& url);

class PostgresStore {
 public:
  // statement_timeout_ms > 0 bounds every statement on this connection (the sink's writer must not hang
  // on a stuck database, or SIGTERM's flush would wait for it); 0 = the server's default.
  explicit PostgresStore(std::string url, int statement_timeout_ms = 0);
  ~PostgresStore();
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  // Connects unless connected, then brings the schema to kPostgresSchemaVersion. False with `error` set
  // when the server cannot be reached or the schema is newer than this build knows.
  bool connect(std::string& error);
  bool connected() const;
  void disconnect();

  // Stores the batch in one transaction (all or nothing). A record already stored — the same values in
  // every column — is not stored again: importing a file twice, or retrying a batch whose COMMIT raced a
  // dead connection, keeps one row per record. `added` (optional) = the rows actually added.
  bool insert(const std::vector<Record>& batch, std::string& error, std::uint64_t* added = nullptr);

  // Streams the matching records, oldest first (ts, instance, request_id), through a cursor so memory
  // stays bounded. Rows are rebuilt as the JSON a JSONL line holds and parsed by record_from_json, so
  // both stores produce the same Record values. `malformed` counts rows that did not parse.
  bool for_each(const RecordFilter& filter, const std::function<void(Record&&)>& on_record, std::uint64_t& malformed,
                std::string& error);

  // Rows matching the filter (for tests and the import summary).
  bool count(const RecordFilter& filter, std::uint64_t& rows, std::string& error);

 private:
  bool migrate(std::string& error);

  std::string url_;
  int statement_timeout_ms_ = 0;
  pg_conn* conn_ = nullptr;
};

}  // namespace parity::store

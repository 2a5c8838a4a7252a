#pragma once
// One record as its JSONL line, written straight into a string.
//
// The bytes are exactly those of to_json(record).dump() with the store's settings (compact, UTF-8 kept,
// invalid UTF-8 replaced by U+FFFD; keys in nlohmann's sorted order), so a reader cannot tell the two
// apart — a unit test holds them equal. Why not to_json().dump(): the DOM is a std::map per object and
// an allocation per key and value, built and torn down for every mirrored request; at saturation the
// store thread spent ~6 % of the gateway's CPU there. Plain-ASCII strings and the numbers are written
// here; anything else (escapes, non-ASCII, the differences and the sample of a mismatch) still goes
// through nlohmann, so its escaping rules are not copied.
#include <string>

#include "store/record.h"

namespace parity::store {

// Appends the record's line to `out`, without the newline.
void append_record_line(std::string& out, const Record& record);

}  // namespace parity::store

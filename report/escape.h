#pragma once
// Escaping of user-derived text (routes, pointers, values come from traffic) for each output format.
#include <string>
#include <string_view>

namespace parity::report {

// &, <, >, " and ' as entities: safe in HTML text, attribute values and inline SVG.
std::string html_escape(std::string_view s);

// JSON text that is safe inside <script>…</script>: "</" cannot close the element, "<!--" cannot open
// a comment, and U+2028/U+2029 are escaped for old JavaScript parsers.
std::string json_for_script(std::string_view json);

// A Markdown table cell: a code span (fence longer than any backtick run inside), with "|" escaped
// and line breaks turned into spaces, so no value can break the table.
std::string md_code(std::string_view s);
// Plain Markdown table-cell text: "|" and Markdown punctuation escaped, line breaks turned into spaces.
std::string md_text(std::string_view s);

}  // namespace parity::report

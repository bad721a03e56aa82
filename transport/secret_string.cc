#include "transport/secret_string.h"

#include <string.h>

namespace fedtee::transport {

void WipeString(std::string& s) {
  // The whole buffer, not only size(): an earlier, longer value may linger past size().
  // Writing the capacity range is done through data() of a resized string so that every
  // byte touched is within the string's valid range.
  s.resize(s.capacity());
  explicit_bzero(s.data(), s.size());
  s.clear();
}

}  // namespace fedtee::transport

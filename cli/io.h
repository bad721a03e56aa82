// Small I/O helpers for the CLIs: whole stdin/stdout as bytes.
#pragma once

#include <cstdio>
#include <iostream>
#include <iterator>

#include "base/bytes.h"

namespace fedtee::cli {

inline Bytes ReadAllStdin() {
  Bytes out;
  uint8_t buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) out.insert(out.end(), buf, buf + n);
  return out;
}

inline bool WriteAllStdout(ByteSpan data) {
  size_t done = std::fwrite(data.data(), 1, data.size(), stdout);
  return done == data.size() && std::fflush(stdout) == 0;
}

}  // namespace fedtee::cli

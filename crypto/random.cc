#include "crypto/random.h"

#include <openssl/rand.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

namespace fedtee::crypto {

void FillRandom(std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    size_t n = std::min<size_t>(out.size() - done, INT_MAX);
    if (RAND_bytes(out.data() + done, static_cast<int>(n)) != 1) {
      std::fputs("fedtee: RAND_bytes failed; refusing to continue without randomness\n", stderr);
      std::abort();
    }
    done += n;
  }
}

Bytes RandomBytes(size_t n) {
  Bytes out(n);
  FillRandom(out);
  return out;
}

}  // namespace fedtee::crypto

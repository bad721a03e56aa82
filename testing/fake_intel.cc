// Filled in by the fake Intel PCK chain (see fake_intel.h).

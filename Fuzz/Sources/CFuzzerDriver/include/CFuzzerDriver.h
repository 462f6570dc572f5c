#ifndef C_FUZZER_DRIVER_H
#define C_FUZZER_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (in libclang_rt.fuzzer, linked by -sanitize=fuzzer): parses the
/// command line and fuzzes `callback`. SwiftPM gives every executable its own entry point
/// (`<target>_main`, aliased to `main` at link time), so each fuzz target calls this from it
/// instead of relying on libFuzzer's own `main`.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif

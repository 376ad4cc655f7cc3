// Only the header matters: the function is in libFuzzer, linked by -sanitize=fuzzer.
#include "LibFuzzerDriver.h"

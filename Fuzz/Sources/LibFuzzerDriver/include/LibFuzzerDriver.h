// libFuzzer's entry for programs that have a main of their own (its FuzzerInterface.h). SwiftPM
// gives every debug executable a main (renamed for testability), so libFuzzer's own main is never
// linked in: each fuzz target's main hands over to this instead.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
